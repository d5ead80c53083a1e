//! # courteous-close
//!
//! **What it checks.** The agent's last turn closes the call courteously: any farewell
//! (goodbye, bye, bye-bye, good night, goodnight, cheerio, see you / see ya soon / later,
//! catch ya), "we look forward to seeing you", take care, have a good / nice / great /
//! lovely day / afternoon / evening / weekend / stay, enjoy your evening, speak (to you)
//! soon / shortly, talk soon, all the best, safe travels / safe journey, "mind how you go",
//! "look after yourself", "merry Christmas", "(it was a) pleasure speaking with you",
//! thanks for calling / your call / your time / your business / choosing us. Not
//! applicable when the agent never speaks, or when the customer hangs up after the agent's
//! last turn (an event such as `[Customer hangs up]`).
//!
//! **Why it matters.** The last words are the ones a customer remembers; a call that just
//! stops feels like being dropped.
//!
//! **Example.**
//! - Pass: `Agent: Thank you for calling Brightline. Have a lovely day, goodbye!`
//! - Fail: `Agent: Fine.` as the agent's last turn.
//!
//! **Tip.** End every call yourself, warmly, after the customer has finished.

use super::{need, Ctx, EventKind, Meta, Outcome, Rule, Span, Who};
use crate::matcher::{ListId, PhraseBook};

/// Registry entry.
pub const META: Meta = Meta {
    id: "courteous-close",
    weight: 10,
    critical: false,
    summary: "The agent's last turn closes the call courteously.",
    tip: "End every call yourself, warmly, after the customer has finished: \"Thanks for calling, have a good day, goodbye.\"",
};

/// The `courteous-close` rule.
#[derive(Debug)]
pub struct CourteousClose {
    phrases: ListId,
}

impl CourteousClose {
    /// Resolve the rule's phrase list.
    pub fn new(book: &PhraseBook) -> Result<Self, String> {
        Ok(CourteousClose {
            phrases: need(book, "courteous-close.phrases")?,
        })
    }
}

impl Rule for CourteousClose {
    fn check(&self, ctx: &Ctx<'_>) -> Outcome {
        let Some(last) = ctx.agent_turns().last() else {
            return Outcome::na("The agent never speaks.");
        };
        let customer_hung_up = ctx.t.events.iter().any(|e| {
            e.after_turns > last && ctx.events[e.index] == EventKind::HangUp(Who::Customer)
        });
        if customer_hung_up {
            return Outcome::na("The customer hung up after the agent's last turn.");
        }
        match ctx.first_in(self.phrases, last) {
            Some(h) => {
                let s = ctx.span(&h);
                Outcome::pass(
                    format!("The agent closed with \"{}\".", ctx.quote(s)),
                    vec![s],
                )
            }
            None => Outcome::fail(
                "The agent's last turn does not close the call courteously.",
                vec![Span::Turn(last)],
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
            "courteous-close",
            &[
                (
                    "pass",
                    "Agent: Hi.\nCustomer: Cheers.\nAgent: Cheers, take it easy.",
                ),
                (
                    "pass",
                    "Agent: Hi.\nCustomer: Thanks.\nAgent: Thanks for bearing with me. Safe travels!",
                ),
                (
                    "fail",
                    "Agent: Hi.\nCustomer: Thanks.\nAgent: The travel desk is on the left.",
                ),
                (
                    "pass",
                    "Agent: Hi.\nCustomer: Thanks.\nAgent: That's booked. We look forward to seeing you. Goodnight!",
                ),
                ("pass", "Agent: Hi.\nCustomer: Sweet.\nAgent: Catch ya."),
                ("pass", "Agent: Hi.\nCustomer: Thanks.\nAgent: Speak to you shortly."),
                ("pass", "Agent: Hi.\nCustomer: Thanks.\nAgent: Thank you for your business."),
                ("pass", "Agent: Hi.\nCustomer: Thanks.\nAgent: Mind how you go."),
                ("pass", "Agent: Hi.\nCustomer: Thanks.\nAgent: Merry Christmas!"),
                ("pass", "Agent: Hi.\nCustomer: Thanks.\nAgent: Pleasure speaking with you."),
                ("fail", "Agent: Hi.\nCustomer: Is he there?\nAgent: He's not happy speaking with you."),
                (
                    "fail",
                    "Agent: Hi.\nCustomer: It's Sam.\nAgent: Sorry, I didn't catch you.",
                ),
                (
                    "pass",
                    "Agent: Hi.\nCustomer: Thanks.\nAgent: Lovely, speak later.",
                ),
                (
                    "pass",
                    "Agent: Hi.\nCustomer: Bye.\nAgent: Thanks, see you shortly. Bye for now.",
                ),
                ("pass", "Agent: Hi.\nCustomer: Thanks.\nAgent: Good night!"),
                ("pass", "Agent: Hi.\nCustomer: Thanks.\nAgent: Cheerio."),
                (
                    "pass",
                    "Agent: Hi.\nCustomer: Thanks.\nAgent: Have a lovely weekend.",
                ),
                (
                    "pass",
                    "Agent: Hi.\nCustomer: Thanks.\nAgent: thanks for your call",
                ),
                ("fail", "Agent: Hi.\nCustomer: Thanks.\nAgent: Fine."),
                (
                    "fail",
                    "Agent: Goodbye.\nCustomer: Wait, one more thing.\nAgent: What?",
                ),
                (
                    "n/a",
                    "Agent: Hi.\nCustomer: Don't bother.\n[Customer hangs up]",
                ),
                (
                    "n/a",
                    "# agent: Jo\nJo: Hi.\nClaire: Right.\n[Claire hangs up]",
                ),
            ],
        );
    }
}
