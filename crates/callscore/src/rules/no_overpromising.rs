//! # no-overpromising
//!
//! **What it checks.** The agent makes no commitment they cannot guarantee. A sentence of
//! the agent fails when it has:
//! 1. a promise on behalf of someone else: a third party (he, she, they, a name, the
//!    engineer, my manager, someone, the team) + will / 'll / is going to + an action (call,
//!    phone, ring, get back, email, sort, fix, send, deliver, visit, refund, be there,
//!    be out within...),
//!    or the agent committing them ("I'll get her to phone you", "I'll have him ring you");
//! 2. a guarantee: "I / we guarantee", "I / we promise", "guaranteed", "100%", "without fail",
//!    "definitely will", "absolutely will"; or a fixed deadline stressed with
//!    "definitely" ("Within the hour, definitely.");
//! 3. a fixed deadline ("within the hour", "by five o'clock", "first thing tomorrow",
//!    "today", "straight away") attached to an outcome that depends on someone else
//!    ("it'll be delivered today", "you'll have it by Friday", "same-day delivery").
//!
//! Hedged, negated and in-control commitments pass: a sentence with "should", "hopefully",
//! "I expect", "I'll do my best", "I can't promise", "I won't guarantee", "I can't say
//! exactly when" promises nothing; "I'll pass the message on", "I'll ask her to call you",
//! "I'll send you the form now" and "I'll send an engineer out" are the agent's own actions,
//! and so are "I promise I'll pass it on" and "I'll definitely pass your message on" (a
//! guarantee of the agent's own message-passing); "100% cotton" describes a product; an
//! offer ("shall I get her to call you?") commits nobody yet.
//! Evidence: each offending sentence.
//!
//! **Why it matters.** A broken promise turns a satisfied caller into a complaint: the
//! customer holds the organisation to what the agent said.
//!
//! **Example.**
//! - Pass: `Agent: I'll pass the message on, though I can't promise she'll call today.`
//! - Fail: `Agent: I'll get her to phone you when she's back. Within the hour, definitely.`
//!
//! **Tip.** Promise only what you control; offer to pass the message on.

use super::{need, Ctx, Meta, Outcome, Rule};
use crate::matcher::{Hit, ListId, PhraseBook};

/// Registry entry.
pub const META: Meta = Meta {
    id: "no-overpromising",
    weight: 15,
    critical: false,
    summary: "The agent makes no promise they cannot keep.",
    tip: "Promise only what you control (\"I'll pass the message on\"); don't commit colleagues to times you can't guarantee.",
};

/// The `no-overpromising` rule.
#[derive(Debug)]
pub struct NoOverpromising {
    third_party: ListId,
    guarantee: ListId,
    emphasis: ListId,
    deadline: ListId,
    outcome: ListId,
    hedge: ListId,
    own: ListId,
}

impl NoOverpromising {
    /// Resolve the rule's phrase lists.
    pub fn new(book: &PhraseBook) -> Result<Self, String> {
        let l = |k: &str| need(book, &format!("no-overpromising.{k}"));
        Ok(NoOverpromising {
            third_party: l("third_party")?,
            guarantee: l("guarantee")?,
            emphasis: l("emphasis")?,
            deadline: l("deadline")?,
            outcome: l("outcome")?,
            hedge: l("hedge")?,
            own: l("own")?,
        })
    }
}

const NEGATIONS: &[&str] = &["not", "never", "no"];

impl Rule for NoOverpromising {
    fn check(&self, ctx: &Ctx<'_>) -> Outcome {
        let mut evidence = Vec::new();
        let mut first_reason = None;
        for i in ctx.agent_turns() {
            // Every reason needs a third-party promise, a guarantee or a deadline: a turn
            // with none of them has nothing to judge.
            let third = ctx.hits.in_turn(self.third_party, i);
            // "I promise I'll pass it on" guarantees only what the agent controls.
            let guarantee = ctx.hits_except(self.guarantee, self.own, i);
            let deadline = ctx.hits.in_turn(self.deadline, i);
            if third.is_empty() && guarantee.is_empty() && deadline.is_empty() {
                continue;
            }
            let hedge = ctx.hits.in_turn(self.hedge, i);
            // Emphasis and outcomes only matter with a deadline.
            let (emphasis, outcome) = match deadline.is_empty() {
                true => Default::default(),
                false => (
                    ctx.hits_except(self.emphasis, self.own, i),
                    ctx.hits.in_turn(self.outcome, i),
                ),
            };
            for (s, e) in ctx.sentences(i) {
                let inside = |h: &&Hit| h.start < e && h.end > s;
                let any = |v: &[Hit]| v.iter().any(|h| inside(&h));
                if any(&hedge) {
                    continue;
                }
                let third = third.iter().filter(inside).any(|h| {
                    let words = &ctx.f.buf[h.start..h.end];
                    !words.split(' ').any(|w| NEGATIONS.contains(&w))
                });
                let deadline = any(&deadline);
                let reason = if third {
                    Some("a promise on someone else's behalf")
                } else if any(&guarantee) || (deadline && any(&emphasis)) {
                    Some("a guarantee")
                } else if deadline && any(&outcome) {
                    Some("a fixed deadline on something outside the agent's control")
                } else {
                    None
                };
                if let Some(r) = reason {
                    first_reason.get_or_insert(r);
                    evidence.push(ctx.unspaced(i, s, e));
                }
            }
        }
        match first_reason {
            None => Outcome::pass("The agent made no promise they could not keep.", Vec::new()),
            Some(r) => {
                let quotes = ctx.quotes(&evidence);
                Outcome::fail(
                    format!("The agent overpromised ({r}): {}", quotes),
                    evidence,
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::assert_fixtures;

    #[test]
    fn fixtures() {
        assert_fixtures(
            "no-overpromising",
            &[
                ("fail", "Agent: She's out. I'll get her to phone you when she's back.\nCustomer: OK."),
                ("fail", "Agent: He'll call you back this afternoon.\nCustomer: OK."),
                ("fail", "Agent: The engineer will be there by ten.\nCustomer: OK."),
                ("pass", "Agent: I promise I'll pass it on.\nCustomer: OK."),
                ("pass", "Agent: I'll definitely pass your message on today.\nCustomer: OK."),
                ("pass", "Agent: That's a 100% cotton shirt.\nCustomer: OK."),
                ("fail", "Agent: We guarantee next-day delivery.\nCustomer: OK."),
                ("fail", "Agent: I promise it'll be there tomorrow.\nCustomer: OK."),
                ("fail", "Agent: I promise I'll pass it on, and he'll definitely ring you today.\nCustomer: OK."),
                ("fail", "Agent: An engineer will be out within 24 hours.\nCustomer: OK."),
                ("fail", "Agent: A plumber is on the way now and will be with you within the hour.\nCustomer: OK."),
                ("pass", "Agent: A plumber is on the way and should be with you within the hour.\nCustomer: OK."),
                ("pass", "Agent: I'm afraid he'll be out until Monday.\nCustomer: OK."),
                ("fail", "Agent: The new manager, Steve, will ring you first thing tomorrow.\nCustomer: OK."),
                ("fail", "Agent: They'll definitely reply by Friday.\nCustomer: OK."),
                ("fail", "Agent: I guarantee it.\nCustomer: OK."),
                ("fail", "Agent: When?\nCustomer: When?\nAgent: Within the hour, definitely."),
                ("fail", "Agent: I'll send it today by same-day delivery.\nCustomer: OK."),
                ("fail", "Agent: Sue will call you back.\nCustomer: OK."),
                ("fail", "Agent: An engineer will visit on Thursday between 8 and 1.\nCustomer: OK."),
                ("pass", "Agent: A technician may need to visit.\nCustomer: OK."),
                ("pass", "Agent: She'll be in tomorrow. Shall I get her to call you?\nCustomer: OK."),
                ("fail", "Agent: i'll have someone ring you\nCustomer: ok"),
                ("pass", "Agent: I'll pass the message on.\nCustomer: OK."),
                ("pass", "Agent: I'll ask her to call you.\nCustomer: OK."),
                ("pass", "Agent: I'll let him know you called.\nCustomer: OK."),
                ("pass", "Agent: I'll make sure she gets your message.\nCustomer: OK."),
                ("pass", "Agent: She should be back after lunch.\nCustomer: OK."),
                ("pass", "Agent: I'll send you the form now.\nCustomer: OK."),
                ("pass", "Agent: I'll send an engineer out.\nCustomer: OK."),
                ("pass", "Agent: I'll make sure he gets it first thing tomorrow.\nCustomer: OK."),
                ("pass", "Agent: I can't promise when.\nCustomer: OK."),
                ("pass", "Agent: I can't say exactly when he'll call.\nCustomer: OK."),
                ("pass", "Agent: I'll pass it on, though I can't promise she'll get back to you today.\nCustomer: OK."),
                ("pass", "Agent: Hopefully he'll call you tomorrow.\nCustomer: OK."),
                ("pass", "Agent: He won't call you, don't worry.\nCustomer: OK."),
                ("pass", "Agent: I'll email you an update this afternoon myself.\nCustomer: OK."),
                ("pass", "Agent: We'll give you a shout as soon as we're ready.\nCustomer: OK."),
                ("pass", "Agent: It shipped yesterday and should arrive on Thursday.\nCustomer: OK."),
            ],
        );
    }
}
