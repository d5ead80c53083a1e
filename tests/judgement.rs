//! Judgement on wordings that are not in the rubric's lists: the lists are examples of
//! intent, so the variants a trainer would obviously accept (or reject) must come out right.

use callscore::{Ruleset, ScoreOptions};

fn status(text: &str, rule: &str) -> String {
    let r = Ruleset::builtin()
        .unwrap()
        .score(text, &ScoreOptions::default())
        .unwrap();
    r.finding(rule).unwrap().status.as_str().to_string()
}

#[track_caller]
fn expect(rule: &str, want: &str, text: &str) {
    assert_eq!(status(text, rule), want, "{rule} on:\n{text}");
}

#[test]
fn lowercase_speech_to_text_without_punctuation() {
    let t = "agent: hi youre through to acme my names sam how can i help\ncustomer: hi its about my bill\nagent: no problem thanks for waiting its all sorted now\ncustomer: great cheers\nagent: thanks for calling have a good one bye";
    for rule in ["greeting", "identification", "thanks", "courteous-close"] {
        expect(rule, "pass", t);
    }
}

#[test]
fn greetings_and_closings_in_other_words() {
    expect(
        "greeting",
        "pass",
        "Agent: Morning! Acme here.\nCustomer: Hi.",
    );
    expect(
        "greeting",
        "pass",
        "Agent: Thanks for holding, this is Jo.\nCustomer: Hi.",
    );
    expect(
        "courteous-close",
        "pass",
        "Agent: Hi.\nCustomer: Thanks.\nAgent: Good night, Mrs Hall.",
    );
    expect(
        "courteous-close",
        "pass",
        "Agent: Hi.\nCustomer: Thanks.\nAgent: Cheerio then.",
    );
    expect(
        "courteous-close",
        "pass",
        "Agent: Hi.\nCustomer: Thanks.\nAgent: Enjoy the rest of your day.",
    );
    expect(
        "courteous-close",
        "fail",
        "Agent: Hi.\nCustomer: Thanks.\nAgent: Right, done.",
    );
}

#[test]
fn identification_variants() {
    expect(
        "identification",
        "pass",
        "Agent: Hello, you're speaking with Priya.\nCustomer: Hi.",
    );
    expect(
        "identification",
        "pass",
        "Agent: Hi, I'm Tom, calling on behalf of Greenway.\nCustomer: Hi.",
    );
    expect(
        "identification",
        "fail",
        "Agent: Hello, how may I help?\nCustomer: Is that the garden centre?\nAgent: Yes.",
    );
}

#[test]
fn promises_hedged_and_unhedged() {
    expect(
        "no-overpromising",
        "fail",
        "Agent: Someone will call you back within 24 hours.\nCustomer: OK.",
    );
    expect(
        "no-overpromising",
        "fail",
        "Agent: The refund will be in your account by Friday, guaranteed.\nCustomer: OK.",
    );
    expect(
        "no-overpromising",
        "fail",
        "Agent: I'll make sure someone calls you today.\nCustomer: OK.",
    );
    expect(
        "no-overpromising",
        "pass",
        "Agent: I'll call you back myself this afternoon.\nCustomer: OK.",
    );
    expect(
        "no-overpromising",
        "pass",
        "Agent: The engineer should be with you by noon, but I can't guarantee it.\nCustomer: OK.",
    );
    expect(
        "no-overpromising",
        "pass",
        "Agent: I'll ask Steve to give you a ring when he's free.\nCustomer: OK.",
    );
}

#[test]
fn complaints_apologies_and_blame() {
    expect("apology-on-complaint", "pass", "Agent: Hi.\nCustomer: This is the third time I've called about this.\nAgent: My apologies, let me fix it now.");
    expect("apology-on-complaint", "fail", "Agent: Hi.\nCustomer: I'm really fed up with your service.\nAgent: What's the account number?");
    expect(
        "apology-on-complaint",
        "n/a",
        "Agent: Hi.\nCustomer: I'd like to change my address.\nAgent: Sure.",
    );
    expect(
        "no-blame",
        "fail",
        "Agent: That's the warehouse's fault, not mine.\nCustomer: Oh.",
    );
    expect(
        "no-blame",
        "pass",
        "Agent: That's our mistake, I'm sorry.\nCustomer: OK.",
    );
}

#[test]
fn rudeness_in_context() {
    expect(
        "polite-language",
        "fail",
        "Agent: Oh for god's sake, what now?\nCustomer: Sorry.",
    );
    expect(
        "polite-language",
        "pass",
        "Agent: Whatever works best for you, we're flexible.\nCustomer: Thanks.",
    );
    expect(
        "polite-language",
        "pass",
        "Agent: We can scrap that order for you.\nCustomer: Thanks.",
    );
}

#[test]
fn messages_with_and_without_details() {
    let full = "Agent: Hello, Lee speaking.\nCaller: Is Dana about?\nAgent: She's away from her desk. Can I take your name and number?\nCaller: Sam Reid, 07700 900123.\nAgent: And which company are you with?\nCaller: Brightline.\nAgent: Thanks Sam, I'll pass it on. Bye.";
    expect("message-taking", "pass", full);
    let partial = "Agent: Hello, Lee speaking.\nCaller: Is Dana about?\nAgent: She's not available. Can I take a message?\nCaller: Just say Sam called.\nAgent: Will do, bye.";
    expect("message-taking", "fail", partial);
}
