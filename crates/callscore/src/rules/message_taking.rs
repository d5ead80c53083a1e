//! # message-taking
//!
//! **What it checks.** When the person the customer wants is unavailable or a message is
//! offered or taken ("she's not in", "he's on another call", "in a meeting", "out of the
//! office", "he's at lunch", "she's in surgery", "not available", "can I take a message",
//! "I'll pass the message on", "leave a message"), by the end of the call the caller's
//! **name**, a contact **number** and their **company** must all be captured. A detail
//! counts as captured when the agent asks for it ("can I take your name?", "who's
//! calling?", "what's the best number to reach you?", "which company are you calling
//! from?", "is that for a business or is it domestic?", "is this in a personal capacity or
//! for a company?") or the customer gives it ("it's Sam from Brightline", "my number is
//! 01865 893296", "call me on 07971 400653").
//! The company counts when the agent asks, even if the caller has none. Otherwise not
//! applicable. A fail lists what is missing (`missing: number, company`).
//!
//! **Why it matters.** A message without a number cannot be returned; one without a name
//! or company cannot be prioritised. A half-taken message is a lost customer.
//!
//! **Example.**
//! - Pass: `Tom: Can I take a message?` / `Caller: It's Andy from Lopata Associates.` /
//!   `Tom: What's the best number to reach you on?` / `Caller: 07700 900123.`
//! - Fail: `Agent: He's in a meeting. Who's calling?` / `Customer: It's Ravi Shah.` /
//!   `Agent: I'll let him know you called.` (missing: number, company)
//!
//! **Tip.** Name, number, company, and when is best to call back.

use super::{need, Ctx, Meta, Outcome, Rule, Span};
use crate::matcher::{ListId, PhraseBook};

/// Registry entry.
pub const META: Meta = Meta {
    id: "message-taking",
    weight: 10,
    critical: false,
    summary: "A message taken records the caller's name, number and company.",
    tip: "Take a full message: name, number, company, and when is best to call back.",
};

/// The `message-taking` rule.
#[derive(Debug)]
pub struct MessageTaking {
    trigger: ListId,
    details: [(&'static str, ListId, ListId); 3],
}

impl MessageTaking {
    /// Resolve the rule's phrase lists.
    pub fn new(book: &PhraseBook) -> Result<Self, String> {
        let l = |k: &str| need(book, &format!("message-taking.{k}"));
        Ok(MessageTaking {
            trigger: l("trigger")?,
            details: [
                ("name", l("name_ask")?, l("name_give")?),
                ("number", l("number_ask")?, l("number_give")?),
                ("company", l("company_ask")?, l("company_give")?),
            ],
        })
    }
}

impl Rule for MessageTaking {
    fn check(&self, ctx: &Ctx<'_>) -> Outcome {
        let Some(trigger) = ctx.hits.of(self.trigger).first() else {
            return Outcome::na(
                "No message was needed: nobody was unavailable and no message was offered.",
            );
        };
        let mut evidence = vec![ctx.span(trigger)];
        let mut missing = Vec::new();
        for (what, ask, give) in &self.details {
            // The first ask in the agent's turns, else the first answer in the customers'
            // (turn by turn: each list is only looked for on its side of the call).
            let asked = || ctx.agent_turns().find_map(|i| ctx.first_in(*ask, i));
            let given = || ctx.customer_turns().find_map(|i| ctx.first_in(*give, i));
            match asked().or_else(given) {
                Some(h) => evidence.push(ctx.span(&h)),
                None => missing.push(what.to_string()),
            }
        }
        if missing.is_empty() {
            Outcome::pass(
                "A full message was taken: name, number and company.",
                evidence,
            )
        } else {
            let mut o = Outcome::fail(
                format!(
                    "A message was needed but it lacks the caller's {} (missing: {}).",
                    missing.join(" and "),
                    missing.join(", ")
                ),
                evidence,
            );
            if o.evidence.len() == 1 {
                // Point also at the agent's last turn, where the details were still due.
                if let Some(last) = ctx.agent_turns().last() {
                    o.evidence.push(Span::Turn(last));
                }
            }
            o.missing = missing;
            o
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::{assert_fixtures, check};

    #[test]
    fn fixtures() {
        assert_fixtures(
            "message-taking",
            &[
                ("fail", "Agent: Sorry, he's at lunch right now.\nCustomer: OK, bye."),
                ("fail", "Agent: She's in surgery right now.\nCustomer: OK, bye."),
                ("n/a", "Agent: Hello.\nCustomer: My dog was in surgery last week.\nAgent: Oh dear."),
                ("pass", "Agent: They're out on site. Can I take a message?\nCaller: My name is Derek Hall.\nAgent: And a phone number?\nCaller: 07700 900333.\nAgent: Is this in a personal capacity or for a company?\nCaller: Hall Design."),
                ("pass", "Agent: Steve's out on a job. Can I take a message?\nCaller: It's Gary Holt.\nAgent: And your number?\nCaller: 0161 496 0555.\nAgent: Is that for a business or is it domestic?\nCaller: Domestic."),
                ("fail", "Agent: Steve's out on a job. Can I take a message?\nCaller: It's Gary Holt.\nAgent: And your number?\nCaller: 0161 496 0555.\nAgent: Is that the front door or the back?\nCaller: Front."),
                ("fail", "Agent: She's not here today, I'm afraid.\nCustomer: OK, bye."),
                ("n/a", "Agent: Hello.\nCustomer: My ride is not here yet. We had a late lunch.\nAgent: It is 2 minutes away."),
                ("pass", "Tom: I'm afraid she's on another call. Can I take a message?\nCaller: Yes please. It's Andy from Lopata Associates.\nTom: Thanks Andy. What's the best number to reach you on?\nCaller: 07700 900123.\n# agent: Tom"),
                ("pass", "Agent: She's not in today. Can I take your name?\nCustomer: Sam.\nAgent: And which company are you calling from?\nCustomer: No, it's personal.\nAgent: Your number?\nCustomer: 01865 893296."),
                ("fail", "Agent: She's out of the office right now.\nCustomer: OK. It's Mark, by the way.\nAgent: Thanks Mark, bye."),
                ("n/a", "Agent: Hello, how can I help?\nCustomer: Just checking my order.\nAgent: It's on its way."),
                // "Not available", said every way (the rubric's own example).
                ("fail", "Agent: She's not available at the moment.\nCustomer: OK, bye."),
                ("fail", "Agent: He is not available today.\nCustomer: OK, bye."),
                ("fail", "Agent: I'm afraid she isn't available.\nCustomer: OK, bye."),
                ("fail", "Agent: Dr Patel is not available this afternoon.\nCustomer: OK, bye."),
                ("fail", "Agent: Mr Jones is unavailable.\nCustomer: OK, bye."),
                ("n/a", "Agent: That table is not available on Friday.\nCustomer: OK, Saturday then."),
                // A diary, not a message: the doctor is not free at a time.
                ("n/a", "Agent: Dr. Johnson is available at 2 pm.\nCustomer: Not then.\nAgent: He is not available at that time, I'm afraid.\nCustomer: OK."),
                ("n/a", "Agent: He's available at 3.\nCustomer: Great."),
            ],
        );
    }

    #[test]
    fn fail_names_what_is_missing() {
        let f = check("message-taking", "Agent: I'm afraid he's in a meeting. Who's calling?\nCustomer: It's Ravi Shah.\nAgent: Thanks Ravi, I'll let him know you called.");
        assert_eq!(f.missing, vec!["number", "company"]);
        assert!(
            f.message.contains("missing: number, company"),
            "{}",
            f.message
        );
    }
}
