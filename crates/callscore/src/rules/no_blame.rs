//! # no-blame
//!
//! **What it checks.** The agent does not shift blame: "it's not my fault", "not my
//! problem", "nothing to do with me", "don't blame me", "blame the other department",
//! "that's their fault", "it's your fault", "you should have read the email", "they never
//! told us", "they haven't replied to our letter" (an excuse that blames another
//! organisation), a third party named as the one who got it wrong ("the courier messed
//! that up", "the post office must have lost them", "that's on them", "that's the network
//! team's mess", "they changed it without telling anyone", "they're always slow"), "not
//! really my problem", or the customer
//! told it was their doing ("if you'd charged it like we said, this wouldn't have
//! happened"). Taking ownership ("that's on us, I'm sorry") passes, as do "it's not your
//! fault", "I don't blame you" and "you should have received an email".
//!
//! **Why it matters.** Customers don't care whose fault it is; they want it fixed. Blame
//! sounds like an excuse and makes the organisation look divided.
//!
//! **Example.**
//! - Pass: `Agent: That's on us, I'm sorry. Let me chase it now.`
//! - Fail: `Agent: Well, it's not my fault. The other firm haven't replied to our letter.`
//!
//! **Tip.** Own the problem on behalf of the organisation and focus on what you can do now.

use super::{need, Ctx, Meta, Outcome, Rule};
use crate::matcher::{ListId, PhraseBook};

/// Registry entry.
pub const META: Meta = Meta {
    id: "no-blame",
    weight: 5,
    critical: false,
    summary: "The agent does not shift blame.",
    tip: "Own the problem on behalf of the organisation and focus on what you can do now, not on whose fault it is.",
};

/// The `no-blame` rule.
#[derive(Debug)]
pub struct NoBlame {
    phrases: ListId,
    except: ListId,
}

impl NoBlame {
    /// Resolve the rule's phrase lists.
    pub fn new(book: &PhraseBook) -> Result<Self, String> {
        Ok(NoBlame {
            phrases: need(book, "no-blame.phrases")?,
            except: need(book, "no-blame.except")?,
        })
    }
}

impl Rule for NoBlame {
    fn check(&self, ctx: &Ctx<'_>) -> Outcome {
        let evidence = ctx.agent_hits_except(self.phrases, self.except);
        if evidence.is_empty() {
            return Outcome::pass("The agent did not shift blame.", Vec::new());
        }
        Outcome::fail(
            format!("The agent shifted blame: {}", ctx.quotes(&evidence)),
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
            "no-blame",
            &[
                ("fail", "Agent: Well, it's not my fault.\nCustomer: Oh."),
                (
                    "fail",
                    "Agent: The other firm haven't replied to our letter.\nCustomer: Oh.",
                ),
                ("fail", "Agent: That's their fault really.\nCustomer: Oh."),
                (
                    "fail",
                    "Agent: Well, you should have reported it sooner.\nCustomer: Oh.",
                ),
                ("fail", "Agent: They never told us.\nCustomer: Oh."),
                ("fail", "Agent: that is not my problem\nCustomer: oh"),
                ("pass", "Agent: That's on us, I'm sorry.\nCustomer: OK."),
                (
                    "fail",
                    "Agent: That's the courier's fault, not ours.\nCustomer: OK.",
                ),
                ("pass", "Agent: It's nobody's fault.\nCustomer: OK."),
                ("pass", "Agent: It's not your fault at all.\nCustomer: OK."),
                (
                    "pass",
                    "Agent: I don't blame you for being annoyed.\nCustomer: OK.",
                ),
                (
                    "pass",
                    "Agent: You should have received an email from us.\nCustomer: OK.",
                ),
                ("pass", "Agent: Hello.\nCustomer: It's not my fault!"),
                ("fail", "Agent: The courier messed that up, not us.\nCustomer: Oh."),
                ("fail", "Agent: The fraud team blocked it. That's on them, honestly.\nCustomer: Oh."),
                ("fail", "Agent: Well, the post office must have lost them then.\nCustomer: Oh."),
                ("fail", "Agent: If you'd charged it like we said, this wouldn't have happened.\nCustomer: Oh."),
                ("pass", "Agent: We messed that up, and I'm sorry.\nCustomer: OK."),
                ("fail", "Agent: Honestly, that's the network team's mess.\nCustomer: Oh."),
                ("fail", "Agent: They pushed an update last night without telling anyone.\nCustomer: Oh."),
                ("fail", "Agent: That's the contractor, they're always slow.\nCustomer: Oh."),
                ("fail", "Agent: Not really my problem, mate.\nCustomer: Wow."),
                ("pass", "Agent: That was my mistake, I'm sorry.\nCustomer: OK."),
                ("pass", "Agent: They're always happy to help, I'll put you through.\nCustomer: OK."),
                ("pass", "Agent: The engineer is on his way to you now.\nCustomer: OK."),
            ],
        );
    }
}
