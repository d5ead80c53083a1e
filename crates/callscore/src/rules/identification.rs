//! # identification
//!
//! **What it checks.** Within the agent's first two turns the agent names themselves or
//! their organisation: "this is Jo", "my name is Jo" / "my name's Jo", "Jo speaking", "Jo
//! here" / "Jo here from Acme", "you're speaking to Jo", "you've got Jo", "you're through
//! to Acme", "you've reached Acme", "welcome to Acme", "I'm Jo from Acme", "Hi, Jo from
//! Acme", "calling from Acme", "on behalf of Acme" (evidence: those words, without the
//! punctuation around them). A bare organisation name counts only when the organisation is
//! known: from the ruleset's `org` list or the transcript's `# org:` header (then "Acme,
//! good morning" passes). Not applicable when the agent never speaks.
//!
//! Names are checked: in a transcript written with capitals "I'm Jo" counts and "I'm busy"
//! does not; in lower-case speech-to-text common words are never taken for names.
//!
//! **Why it matters.** Callers want to know who they are dealing with; a name makes the
//! agent accountable and the call personal.
//!
//! **Example.**
//! - Pass: `Agent: Hello, Northway Lettings, Sam speaking.`
//! - Fail: `Agent: Hello, how can I help?` (no name or organisation in the first two turns);
//!   answering "Yes" to "Is that the garden centre?" does not count.
//!
//! **Tip.** Say who you are and where you are from in your first sentence.

use super::{need, Ctx, Meta, Outcome, Rule, Span};
use crate::matcher::{Hit, ListId, PhraseBook};

/// Registry entry.
pub const META: Meta = Meta {
    id: "identification",
    weight: 10,
    critical: false,
    summary: "The agent gives their name or organisation in their first two turns.",
    tip: "Say who you are and where you are from: \"Acme Energy, this is Jo speaking.\"",
};

/// The `identification` rule.
#[derive(Debug)]
pub struct Identification {
    phrases: ListId,
}

impl Identification {
    /// Resolve the rule's phrase list.
    pub fn new(book: &PhraseBook) -> Result<Self, String> {
        Ok(Identification {
            phrases: need(book, "identification.phrases")?,
        })
    }
}

/// A hit without the punctuation and the "from" some phrases match around the words
/// (", Mia here." quotes as "Mia here", "Sam here from" as "Sam here").
fn words_only(ctx: &Ctx<'_>, h: &Hit) -> Span {
    let b = ctx.f.buf.as_bytes();
    // Non-ASCII bytes are parts of letters (folding keeps letters only as such).
    let wordy = |x: u8| x.is_ascii_alphanumeric() || x >= 0x80;
    let mut e = h.end.min(b.len());
    let mut s = h.start.min(e);
    while s < e && !wordy(b[s]) {
        s += 1;
    }
    if b[s..e].ends_with(b" from ") {
        e -= " from ".len();
    }
    while e > s && !wordy(b[e - 1]) {
        e -= 1;
    }
    if s == e {
        return ctx.span(h);
    }
    Span::Range {
        turn: h.turn,
        start: s,
        end: e,
    }
}

/// Find a folded organisation name in folded text, on word boundaries.
fn find_org(text: &str, org: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = text.get(from..).and_then(|r| r.find(org)).map(|i| i + from) {
        let before = text[..i].chars().next_back();
        let after = text[i + org.len()..].chars().next();
        if !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric) {
            return Some(i);
        }
        from = i + 1;
    }
    None
}

impl Rule for Identification {
    fn check(&self, ctx: &Ctx<'_>) -> Outcome {
        if ctx.agent_turns().next().is_none() {
            return Outcome::na("The agent never speaks.");
        }
        for i in ctx.agent_turns().take(2) {
            if let Some(h) = ctx.first_in(self.phrases, i) {
                let s = words_only(ctx, &h);
                return Outcome::pass(
                    format!("The agent identified themselves: \"{}\".", ctx.quote(s)),
                    vec![s],
                );
            }
            let base = ctx.f.spans[i].0;
            for org in &ctx.header_orgs {
                if let Some(p) = find_org(ctx.text(i), org) {
                    let s = Span::Range {
                        turn: i,
                        start: base + p,
                        end: base + p + org.len(),
                    };
                    return Outcome::pass(
                        format!("The agent named the organisation: \"{}\".", ctx.quote(s)),
                        vec![s],
                    );
                }
            }
        }
        Outcome::fail(
            "The agent did not give their name or organisation in their first two turns.",
            ctx.agent_turns().take(2).map(Span::Turn).collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::{assert_fixtures, check};

    /// The evidence is the words, without the punctuation or "from" the phrase matched
    /// around them.
    #[test]
    fn evidence_is_the_words() {
        for (text, want) in [
            (
                "Agent: Good evening, Fairview Hotel reception, Mia here.\nCustomer: Hi.",
                "Mia here",
            ),
            ("Agent: Hi, Sam here from Acme.\nCustomer: Hi.", "Sam here"),
            ("Agent: Hello, this is Jo.\nCustomer: Hi.", "this is Jo"),
        ] {
            let f = check("identification", text);
            let quoted: Vec<&str> = f.evidence.iter().map(|e| e.text.as_str()).collect();
            assert_eq!(quoted, [want], "{text}");
        }
    }

    #[test]
    fn fixtures() {
        assert_fixtures(
            "identification",
            &[
                ("pass", "Agent: Hi there, you've got Lisa at Crown Hotels.\nCustomer: Hi."),
                ("pass", "Agent: Hi, Sam here from Acme.\nCustomer: Hi."),
                ("pass", "Agent: Hi, Jo from Acme returning your call.\nCustomer: Hi."),
                ("fail", "Agent: Hi, calls from this number are recorded.\nCustomer: Hi."),
                ("fail", "Agent: Hi, you've got a minute?\nCustomer: Hi.\nAgent: Great."),
                ("pass", "Agent: Hello, Northway Lettings, Sam speaking.\nCustomer: Hi."),
                ("pass", "Agent: Hi, you're through to Sunny Energy, my name's Lee.\nCustomer: Hi."),
                ("pass", "Agent: Good evening, you’ve reached Café Zoë.\nCustomer: Hi."),
                ("pass", "Agent: Hi, Dockside Deliveries, Craig here.\nCustomer: Hi."),
                ("pass", "Agent: Hello, you're speaking with Amy.\nCustomer: Hi."),
                ("pass", "Agent: Hello.\nCustomer: Hi.\nAgent: Sorry, I'm Jo from Acme."),
                ("pass", "Agent: hello this is harper valley national bank\nCustomer: hi"),
                ("pass", "Agent: hello this is miss jane from harper valley\nCustomer: hi"),
                ("pass", "# org: Acme\nAgent: Acme, good morning.\nCustomer: Hi."),
                ("fail", "Agent: Hello, how can I help?\nCustomer: Is that the garden centre?\nAgent: Yes."),
                ("fail", "Agent: Acme, good morning.\nCustomer: Hi."),
                ("fail", "Agent: Look, I'm busy, you know.\nCustomer: Hi."),
                ("fail", "Agent: Hello, this is ridiculous.\nCustomer: Hi."),
                // A name in the third agent turn is too late.
                ("fail", "Agent: Hi.\nCustomer: Hi.\nAgent: Yes?\nCustomer: Well.\nAgent: This is Jo."),
            ],
        );
    }
}
