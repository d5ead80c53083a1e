//! # polite-language (critical)
//!
//! **What it checks.** No agent turn is rude or dismissive: "I don't have time for this",
//! "I'm busy, you know", "whatever", "calm down", "you people", "shut up", "listen to me",
//! "that's your problem", "what do you want", "are you deaf / stupid / thick", "don't waste
//! my time", "your loss", "deal with it", sarcastic thanks ("thanks for nothing", "thanks a
//! lot for wasting my time"), or profanity (damn, bloody, bullshit, crap, the f-word and
//! s-word families). The context is respected: "whatever suits you best", "whatever time
//! works for you", "what do you want me to call you?", "that's your problem solved", "I
//! don't care which day", "I'm sorry for your loss", "I'll deal with it", "whatever
//! happens", "go away and have a think", "shut up shop", "how many times do I have to
//! press it?" and a vet's "bloody nose" are not rude; "you'll have to deal with it" and
//! "how many times do I have to tell you" are. Evidence: each offending phrase.
//!
//! **Why it matters.** One rude phrase can outweigh a whole call of good service, and it is
//! what a customer quotes when they complain.
//!
//! **Example.**
//! - Pass: `Agent: We have Tuesday at ten or Thursday at three, whatever suits you best.`
//! - Fail: `Agent: Look, I'm busy, you know. I don't have time for this.`
//!
//! **Tip.** Stay courteous under pressure; if you need a moment, ask to put the caller on hold.

use super::{need, Ctx, Meta, Outcome, Rule};
use crate::matcher::{ListId, PhraseBook};

/// Registry entry.
pub const META: Meta = Meta {
    id: "polite-language",
    weight: 15,
    critical: true,
    summary: "The agent uses no rude or dismissive language.",
    tip: "Stay courteous under pressure; if you need a moment, ask to put the caller on hold rather than letting frustration show.",
};

/// The `polite-language` rule.
#[derive(Debug)]
pub struct PoliteLanguage {
    phrases: ListId,
    except: ListId,
}

impl PoliteLanguage {
    /// Resolve the rule's phrase lists.
    pub fn new(book: &PhraseBook) -> Result<Self, String> {
        Ok(PoliteLanguage {
            phrases: need(book, "polite-language.phrases")?,
            except: need(book, "polite-language.except")?,
        })
    }
}

impl Rule for PoliteLanguage {
    fn check(&self, ctx: &Ctx<'_>) -> Outcome {
        let evidence = ctx.agent_hits_except(self.phrases, self.except);
        if evidence.is_empty() {
            return Outcome::pass("The agent stayed polite.", Vec::new());
        }
        Outcome::fail(
            format!(
                "The agent was rude or dismissive: {}",
                ctx.quotes(&evidence)
            ),
            evidence,
        )
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::assert_fixtures;

    #[test]
    fn fixtures() {
        assert_fixtures(
            "polite-language",
            &[
                ("fail", "Agent: It'll only take a minute.\nCustomer: No thank you.\nAgent: Fine. Your loss."),
                ("pass", "Agent: I'm so sorry for your loss, Ben.\nCustomer: Thank you."),
                ("pass", "Agent: Leave it with me and I'll deal with it.\nCustomer: OK."),
                ("pass", "Agent: Your dog has a bloody nose? Bring her in now.\nCustomer: OK."),
                ("pass", "Agent: Whatever happens, we'll sort it.\nCustomer: OK."),
                ("pass", "Agent: Go away and have a think, and call us back.\nCustomer: OK."),
                ("pass", "Agent: How many times do I have to press the button? Three.\nCustomer: OK."),
                ("pass", "Agent: They shut up shop early today.\nCustomer: OK."),
                ("fail", "Agent: Well, you'll have to deal with it.\nCustomer: OK."),
                ("fail", "Agent: How many times do I have to tell you?\nCustomer: OK."),
                (
                    "fail",
                    "Agent: Look, I'm busy, you know. I don't have time for this.\nCustomer: Oh.",
                ),
                ("fail", "Agent: Whatever. Don't call again.\nCustomer: Oh."),
                (
                    "fail",
                    "Agent: Go on then, I haven't got all day.\nCustomer: Oh.",
                ),
                (
                    "pass",
                    "Agent: Great, that's your problem solved then.\nCustomer: Oh.",
                ),
                (
                    "pass",
                    "Agent: I don't care which day, whatever suits you.\nCustomer: Oh.",
                ),
                (
                    "pass",
                    "Agent: Are you listening to the hold music okay?\nCustomer: Oh.",
                ),
                ("fail", "Agent: Are you listening to me?\nCustomer: Oh."),
                ("fail", "Agent: I don't care what you think.\nCustomer: Oh."),
                (
                    "fail",
                    "Agent: Bloody hell. Sorry about that.\nCustomer: Oh.",
                ),
                ("fail", "Agent: Yeah, what do you want?\nCustomer: Oh."),
                ("fail", "Agent: Are you deaf?\nCustomer: Oh."),
                ("fail", "Agent: Well, thanks for nothing.\nCustomer: Oh."),
                ("fail", "Agent: that's f***ing typical\nCustomer: oh"),
                (
                    "pass",
                    "Agent: Tuesday or Thursday, whatever suits you best.\nCustomer: Thursday.",
                ),
                (
                    "pass",
                    "Agent: We can do whatever time works for you.\nCustomer: OK.",
                ),
                (
                    "pass",
                    "Agent: What do you want me to call you?\nCustomer: Sam.",
                ),
                ("pass", "Agent: Can I scrap the old order?\nCustomer: Yes."),
                (
                    "pass",
                    "Agent: Hello.\nCustomer: This is bloody ridiculous.",
                ),
                ("pass", "Agent: Hello [damn].\nCustomer: Hi."),
            ],
        );
    }
}
