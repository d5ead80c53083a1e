//! # apology-on-complaint
//!
//! **What it checks.** When a customer complains ("this is unacceptable", "ridiculous", "I
//! want to make a complaint", "I was overcharged", "it's broken again", "still hasn't
//! arrived", "nobody called me back", "I've been waiting for two months", "terrible
//! service", "I'm absolutely furious", "it was nothing like the pictures", "it arrived
//! damaged", "I'm not impressed", "still nobody has come out", "this is costing me
//! money", "I've told you three times", "are you even listening?", "I've been waiting in
//! all day", "it was meant to be here twenty minutes ago"; someone else's feelings, as in
//! "my wife will be furious", are not the customer's complaint), the agent's next turn
//! apologises or empathises: sorry, apologise, "I understand how frustrating", "I can see
//! why you're upset"; even a weak "I'm sorry you feel that way" counts. A plain request or fault report ("my boiler is
//! making a noise") is not a complaint. Not applicable without a complaint, or when no
//! agent turn follows the first one. Evidence: the complaint and the reply.
//!
//! **Why it matters.** An upset customer needs to feel heard before they can hear a
//! solution; skipping the apology escalates the call.
//!
//! **Example.**
//! - Pass: `Customer: I was overcharged.` / `Agent: I'm so sorry about that.`
//! - Fail: `Customer: This is unacceptable.` / `Agent: Well, it's not my fault.`
//!
//! **Tip.** Acknowledge the complaint first ("I'm sorry, I can see why that's frustrating"), then fix it.

use super::{need, Ctx, Meta, Outcome, Rule, Span};
use crate::matcher::{ListId, PhraseBook};

/// Registry entry.
pub const META: Meta = Meta {
    id: "apology-on-complaint",
    weight: 5,
    critical: false,
    summary: "A complaint is met with an apology or empathy.",
    tip: "Acknowledge a complaint before solving it: \"I'm sorry, I can see why that's frustrating.\"",
};

/// The `apology-on-complaint` rule.
#[derive(Debug)]
pub struct ApologyOnComplaint {
    complaint: ListId,
    apology: ListId,
}

impl ApologyOnComplaint {
    /// Resolve the rule's phrase lists.
    pub fn new(book: &PhraseBook) -> Result<Self, String> {
        Ok(ApologyOnComplaint {
            complaint: need(book, "apology-on-complaint.complaint")?,
            apology: need(book, "apology-on-complaint.apology")?,
        })
    }
}

impl Rule for ApologyOnComplaint {
    fn check(&self, ctx: &Ctx<'_>) -> Outcome {
        // The customers' first complaint (turn by turn: the list is only looked for in
        // their turns).
        let Some(c) = ctx
            .customer_turns()
            .find_map(|i| ctx.first_in(self.complaint, i))
        else {
            return Outcome::na("The customer made no complaint.");
        };
        let complaint = ctx.span(&c);
        let Some(reply) = (c.turn + 1..ctx.t.turns.len()).find(|&i| ctx.is_agent(i)) else {
            return Outcome::na("No agent turn follows the complaint.");
        };
        match ctx.first_in(self.apology, reply) {
            Some(h) => Outcome::pass(
                format!("The complaint (\"{}\") was met with \"{}\".", ctx.quote(complaint), ctx.quote(ctx.span(&h))),
                vec![complaint, ctx.span(&h)],
            ),
            None => Outcome::fail(
                format!("The customer complained (\"{}\") and the agent's reply has no apology or empathy.", ctx.quote(complaint)),
                vec![complaint, Span::Turn(reply)],
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
            "apology-on-complaint",
            &[
                ("pass", "Agent: Hello.\nCustomer: I was overcharged for a CD last week.\nAgent: I'm so sorry about that."),
                ("pass", "Agent: Hello.\nCustomer: Nobody called me back. This is ridiculous.\nAgent: I understand how frustrating that is."),
                ("pass", "Agent: Hello.\nCustomer: I want to make a complaint.\nAgent: I'm sorry you feel that way."),
                ("fail", "Agent: Hello.\nCustomer: Half the bags came split open. I'm not impressed.\nAgent: What's your order number?"),
                ("fail", "Agent: Hello.\nCustomer: I reported the leak two weeks ago and still nobody has come out.\nAgent: Right, what's the address?"),
                ("fail", "Agent: Hello.\nCustomer: It drops out every evening. This is costing me money.\nAgent: Let me run a test."),
                ("n/a", "Agent: Hello.\nCustomer: My internet drops out in the evenings.\nAgent: Let me run a test."),
                ("fail", "Agent: Hello.\nCustomer: I've told you lot three times now that my boiler is broken.\nAgent: Can you confirm your address?"),
                ("pass", "Agent: Hello.\nCustomer: Flat 4. Are you even listening?\nAgent: I'm sorry, yes, I am."),
                ("fail", "Agent: Hello.\nCustomer: I've been waiting in for a parcel all day.\nAgent: Tracking number?"),
                ("fail", "Agent: Hello.\nCustomer: My taxi was meant to be here twenty minutes ago.\nAgent: Let me check."),
                ("n/a", "Agent: Hello.\nCustomer: My taxi is meant to be here at ten.\nAgent: Let me check."),
                ("fail", "Agent: Hello.\nCustomer: I've heard nothing. This is unacceptable.\nAgent: Well, it's not my fault."),
                ("fail", "Agent: Hello.\nCustomer: I've been waiting for an engineer for three days.\nAgent: Have you tried restarting the router?"),
                ("n/a", "Agent: Hello.\nCustomer: My boiler is making a noise.\nAgent: Let's book an engineer."),
                ("pass", "Agent: Hello.\nCustomer: I've been on hold for forty minutes!\nAgent: Oh dear, I'm sorry about the wait."),
                ("fail", "Agent: Hello.\nCustomer: I've been on hold for 40 minutes.\nAgent: What's your account number?"),
                ("n/a", "Agent: Hello.\nCustomer: I left my bag on the train.\nAgent: What colour is it?"),
                ("n/a", "Agent: Hello.\nCustomer: This is unacceptable.\n[Customer hangs up]"),
                ("pass", "Agent: Hello.\nCustomer: The hotel was nothing like the pictures. I'm absolutely furious.\nAgent: I'm really sorry to hear that."),
                ("fail", "Agent: Hello.\nCustomer: I'm livid, frankly.\nAgent: What's your booking reference?"),
                ("n/a", "Agent: Hello.\nCustomer: My girlfriend will be furious if we're late.\nAgent: Let's find you a table."),
                ("pass", "Agent: Hello.\nCustomer: The cake came squashed. I'm gutted.\nAgent: Oh no, I'm so sorry."),
                ("fail", "Agent: Hello.\nCustomer: My parcel arrived damaged.\nAgent: What's the order number?"),
                ("n/a", "Agent: Hello.\nCustomer: The engineer came early, which was great.\nAgent: Glad to hear it."),
            ],
        );
    }
}
