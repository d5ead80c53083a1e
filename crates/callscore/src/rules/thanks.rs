//! # thanks
//!
//! **What it checks.** Some agent turn expresses gratitude: thank you, thanks, cheers or
//! ta (as thanks), much appreciated, I / we appreciate, grateful, "thank you for your time /
//! patience". Declining is not gratitude: "no thanks", "no, thank you"; nor is sarcasm:
//! "thanks for nothing", "thanks a lot for wasting my time"; nor "thanks to the new
//! system" (because of) or "I appreciate how frustrating this is" (empathy). Not
//! applicable when the agent never speaks.
//!
//! **Why it matters.** Customers give their time, patience and business; thanking them
//! says it was noticed.
//!
//! **Example.**
//! - Pass: `Agent: Thanks for your patience, that's all sorted.`
//! - Fail: `Agent: No, thank you, the postcode is enough.` (declining) and no other thanks.
//!
//! **Tip.** Thank the customer at least once, for calling, for their patience or for their time.

use super::{need, Ctx, Meta, Outcome, Rule, Span};
use crate::matcher::{ListId, PhraseBook};

/// Registry entry.
pub const META: Meta = Meta {
    id: "thanks",
    weight: 10,
    critical: false,
    summary: "The agent thanks the customer at least once.",
    tip: "Thank the customer at least once: for calling, for their patience, or for their time.",
};

/// The `thanks` rule.
#[derive(Debug)]
pub struct Thanks {
    phrases: ListId,
    not: ListId,
}

impl Thanks {
    /// Resolve the rule's phrase lists.
    pub fn new(book: &PhraseBook) -> Result<Self, String> {
        Ok(Thanks {
            phrases: need(book, "thanks.phrases")?,
            not: need(book, "thanks.not")?,
        })
    }
}

impl Rule for Thanks {
    fn check(&self, ctx: &Ctx<'_>) -> Outcome {
        let Some(last) = ctx.agent_turns().last() else {
            return Outcome::na("The agent never speaks.");
        };
        for i in ctx.agent_turns() {
            if let Some(h) = ctx.hits_except(self.phrases, self.not, i).first() {
                let s = ctx.span(h);
                return Outcome::pass(format!("The agent said \"{}\".", ctx.quote(s)), vec![s]);
            }
        }
        let declines: Vec<Span> = ctx
            .agent_turns()
            .flat_map(|i| ctx.hits.in_turn(self.not, i).into_owned())
            .map(|h| ctx.span(&h))
            .collect();
        if declines.is_empty() {
            Outcome::fail(
                "The agent never thanked the customer.",
                vec![Span::Turn(last)],
            )
        } else {
            let q = ctx.quote(declines[0]);
            Outcome::fail(
                format!("The agent never thanked the customer (\"{q}\" is not gratitude)."),
                declines,
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::assert_fixtures;

    #[test]
    fn fixtures() {
        assert_fixtures(
            "thanks",
            &[
                ("fail", "Agent: Thanks to the new system, it's quicker.\nCustomer: OK."),
                ("pass", "Agent: What's the address?\nCustomer: 12 Beach Road.\nAgent: Ta. We can come Tuesday."),
                ("fail", "Agent: Right, that's booked.\nCustomer: Great.\nAgent: Ta-ra then."),
                ("fail", "Agent: I appreciate how annoying this must be.\nCustomer: OK."),
                ("pass", "Agent: Thanks to you, it's sorted.\nCustomer: OK."),
                ("pass", "Agent: I appreciate that, it helps.\nCustomer: OK."),
                ("pass", "Agent: Hello.\nCustomer: Hi.\nAgent: Thanks Mark, bye."),
                ("pass", "Agent: Cheers, bye.\nCustomer: Bye."),
                ("pass", "Agent: We really appreciate your patience.\nCustomer: OK."),
                ("pass", "Agent: thank you for calling\nCustomer: bye"),
                ("fail", "Agent: No, thank you, the postcode is enough.\nCustomer: Great.\nAgent: Bye then."),
                ("fail", "Agent: Well, thanks for nothing.\nCustomer: Bye."),
                ("fail", "Agent: Hello.\nCustomer: Thank you!\nAgent: Bye."),
                // Zero-width characters neither hide nor fake a match.
                ("pass", "Agent: Th\u{200b}ank you.\nCustomer: Bye."),
                ("fail", "Agent: Hello [thanks].\nCustomer: Bye."),
            ],
        );
    }
}
