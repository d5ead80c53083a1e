//! # greeting
//!
//! **What it checks.** The agent's first turn contains a greeting: hello, hi, hey, hiya,
//! yo, aloha, good morning / afternoon / evening / day, a bare "Morning!" opening the turn,
//! welcome, or "thank you for calling / ringing / holding / getting in touch / contacting
//! us / your patience".
//! Not applicable when the agent never speaks.
//!
//! **Why it matters.** The first words set the tone of the whole call: a caller who is
//! greeted feels expected; one met with "Yeah?" feels like an interruption.
//!
//! **Example.**
//! - Pass: `Agent: Good morning, Brightline Support, this is Priya.`
//! - Fail: `Agent: Acme, what do you want?` / `Agent: Yeah?` / `Agent: Sales.`
//!
//! **Tip.** Open every call with a greeting before anything else.

use super::{need, Ctx, Meta, Outcome, Rule, Span};
use crate::matcher::{ListId, PhraseBook};

/// Registry entry.
pub const META: Meta = Meta {
    id: "greeting",
    weight: 10,
    critical: false,
    summary: "The agent greets in their first turn.",
    tip: "Open every call with a greeting (\"Good morning\", \"Hello\") before anything else.",
};

/// The `greeting` rule.
#[derive(Debug)]
pub struct Greeting {
    phrases: ListId,
}

impl Greeting {
    /// Resolve the rule's phrase list.
    pub fn new(book: &PhraseBook) -> Result<Self, String> {
        Ok(Greeting {
            phrases: need(book, "greeting.phrases")?,
        })
    }
}

impl Rule for Greeting {
    fn check(&self, ctx: &Ctx<'_>) -> Outcome {
        let Some(first) = ctx.agent_turns().next() else {
            return Outcome::na("The agent never speaks.");
        };
        match ctx.first_in(self.phrases, first) {
            Some(h) => {
                let s = ctx.span(&h);
                Outcome::pass(
                    format!("The agent opened with \"{}\".", ctx.quote(s)),
                    vec![s],
                )
            }
            None => Outcome::fail(
                "The agent's first turn has no greeting.",
                vec![Span::Turn(first)],
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::assert_fixtures;

    #[test]
    fn fixtures() {
        assert_fixtures(
            "greeting",
            &[
                ("pass", "Agent: Good morning, Acme.\nCustomer: Hi."),
                (
                    "pass",
                    "Agent: Afternoon! Welcome to QuickTyre.\nCustomer: Hi.",
                ),
                ("pass", "Agent: hi there this is sam\nCustomer: hi"),
                ("pass", "Agent: Thanks for calling Acme.\nCustomer: Hi."),
                (
                    "pass",
                    "Agent: Thank you for contacting Acme, this is Jo.\nCustomer: Hi.",
                ),
                (
                    "pass",
                    "Agent: Thanks for your patience, Jo speaking.\nCustomer: Hi.",
                ),
                ("pass", "Agent: Yo, Acme.\nCustomer: Hi."),
                ("fail", "Agent: You're through to Acme.\nCustomer: Hi."),
                (
                    "pass",
                    "Customer: Hello?\nAgent: Good evening, is that Mr Jones?",
                ),
                ("fail", "Agent: Acme, what do you want?\nCustomer: Hi."),
                ("fail", "Agent: Yeah?\nCustomer: Hi."),
                ("fail", "Agent: Sales.\nCustomer: Hi."),
                // A greeting in a later turn is too late.
                ("fail", "Agent: Sales.\nCustomer: Hi.\nAgent: Oh, hello."),
                // A bare "afternoon" that is not an opening is not a greeting.
                (
                    "fail",
                    "Agent: The engineer comes this afternoon.\nCustomer: OK.",
                ),
                // A zero-width space is not a word break: no fake "hi".
                ("fail", "Agent: Sales\u{200b}hi.\nCustomer: Hi."),
                // Annotations never match.
                ("fail", "Agent: [hello] Sales.\nCustomer: Hi."),
            ],
        );
    }
}
