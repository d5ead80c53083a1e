//! # no-hang-up (critical)
//!
//! **What it checks.** The call does not end on the customer rather than with them. It
//! fails when:
//! 1. an event attributes the hang-up to the agent (`[Agent hangs up]`, `(Jo puts the phone
//!    down)`, `[agent ends the call]`), the agent does not speak again, and the customer's
//!    last turn before it was not a goodbye ("bye", "thanks, bye", "cheers, bye");
//! 2. the last speech turn is the customer's and it is cut off (ends with `-`, `--`, `—` or
//!    `–`) or left hanging on a dead line ("Hello? Hello?", "Are you still there?"), unless
//!    the customer then hangs up themselves;
//! 3. an unattributed disconnect event (`[line goes dead]`, `*click*`, `[call ends]`,
//!    `[disconnected]`) follows a customer turn that is cut off or asks a question (ends
//!    with `?`, or, as speech-to-text writes it, its last sentence opens like one: "can you
//!    tell me when the refund"), and the agent does not speak again.
//!
//! A customer who hangs up (`[Customer hangs up]`) is not the agent's failure. Who an
//! event is about comes from a speaker's name in it, else a role word (agent, caller,
//! customer...). Evidence: the event or the last customer turn.
//!
//! **Why it matters.** Being hung up on is the worst experience a caller can have; it
//! loses customers and becomes the story they tell.
//!
//! **Example.**
//! - Pass: `Customer: Thanks, bye.` / `[Agent hangs up]`
//! - Fail: `Customer: No, I don't think I have anything to recyc—` / `[Caller hangs up]`
//!   (where the caller is the agent)
//!
//! **Tip.** Never end a call while the customer is speaking; close it with thanks and a goodbye.

use super::{need, Ctx, EventKind, Meta, Outcome, Rule, Span, Who};
use crate::matcher::{ListId, PhraseBook};

/// Registry entry.
pub const META: Meta = Meta {
    id: "no-hang-up",
    weight: 15,
    critical: true,
    summary: "The agent does not end the call on the customer.",
    tip: "Never end a call while the customer is speaking; close it with thanks and a goodbye, and let them hang up first.",
};

/// The `no-hang-up` rule.
#[derive(Debug)]
pub struct NoHangUp {
    farewell: ListId,
    dead_line: ListId,
}

impl NoHangUp {
    /// Resolve the rule's phrase lists.
    pub fn new(book: &PhraseBook) -> Result<Self, String> {
        Ok(NoHangUp {
            farewell: need(book, "no-hang-up.farewell")?,
            dead_line: need(book, "no-hang-up.dead_line")?,
        })
    }
}

impl Rule for NoHangUp {
    fn check(&self, ctx: &Ctx<'_>) -> Outcome {
        let t = ctx.t;
        // 1. The agent hangs up on a customer who had not said goodbye.
        for e in &t.events {
            if ctx.events[e.index] != EventKind::HangUp(Who::Agent)
                || ctx.agent_speaks_after_event(e.index)
            {
                continue;
            }
            let last_customer = (0..e.after_turns).rev().find(|&i| !ctx.is_agent(i));
            let said_bye = last_customer.is_some_and(|i| ctx.first_in(self.farewell, i).is_some());
            if !said_bye {
                let mut ev = vec![Span::Event(e.index)];
                ev.extend(last_customer.map(Span::Turn));
                return Outcome::fail(
                    format!(
                        "The agent hung up (\"{}\") before the customer said goodbye.",
                        e.text
                    ),
                    ev,
                );
            }
        }
        let customer_hangs_up = |after: usize| {
            t.events.iter().any(|e| {
                e.after_turns > after && ctx.events[e.index] == EventKind::HangUp(Who::Customer)
            })
        };
        // 2. The call ends on a customer who is cut off or left on a dead line.
        if let Some(last) = t.turns.len().checked_sub(1) {
            if !ctx.is_agent(last) && !customer_hangs_up(last) {
                if ctx.cut_off(last) {
                    return Outcome::fail(
                        "The call ended while the customer was still speaking (their last words are cut off).",
                        vec![Span::Turn(last)],
                    );
                }
                if let Some(h) = ctx.first_in(self.dead_line, last) {
                    return Outcome::fail(
                        format!(
                            "The customer was left on a dead line: \"{}\".",
                            ctx.quote(ctx.span(&h))
                        ),
                        vec![Span::Turn(last)],
                    );
                }
            }
        }
        // 3. The line drops after a customer's cut-off words or question.
        for e in &t.events {
            if ctx.events[e.index] != EventKind::Disconnect || ctx.agent_speaks_after_event(e.index)
            {
                continue;
            }
            let Some(before) = ctx.turn_before_event(e.index) else {
                continue;
            };
            if ctx.is_agent(before) || customer_hangs_up(before) {
                continue;
            }
            if ctx.cut_off(before) || asks(ctx, before) {
                return Outcome::fail(
                    format!(
                        "The line went dead (\"{}\") while the customer was still talking.",
                        e.text
                    ),
                    vec![Span::Event(e.index), Span::Turn(before)],
                );
            }
        }
        if let Some(e) = t
            .events
            .iter()
            .rev()
            .find(|e| ctx.events[e.index] == EventKind::HangUp(Who::Customer))
        {
            return Outcome::pass("The customer ended the call.", vec![Span::Event(e.index)]);
        }
        Outcome::pass("The call was not ended on the customer.", Vec::new())
    }
}

/// Words that open a question (a speech-to-text transcript often has no `?`).
const QUESTION_OPENERS: &[&str] = &[
    "can", "could", "would", "will", "do", "does", "did", "is", "are", "was", "were", "have",
    "has", "what", "when", "where", "why", "how", "who", "which", "shall", "should", "may",
];

/// True when turn `i` asks a question: it ends with `?`, or its last sentence opens with a
/// question word ("can you tell me when the refund").
fn asks(ctx: &Ctx<'_>, i: usize) -> bool {
    let text = ctx.text(i);
    if text.trim_end().ends_with('?') {
        return true;
    }
    let last = ctx.sentences(i).last().copied();
    last.and_then(|(s, e)| ctx.f.buf.get(s..e))
        .and_then(|sentence| sentence.split_whitespace().next())
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .is_some_and(|w| QUESTION_OPENERS.contains(&w))
}

#[cfg(test)]
mod tests {
    use crate::rules::assert_fixtures;

    #[test]
    fn fixtures() {
        assert_fixtures(
            "no-hang-up",
            &[
                ("fail", "# agent: Caller\nBarbara: Hello.\nCaller: Got anything?\nBarbara: No, I don't think I have anything to recyc—\n[Caller hangs up]"),
                ("fail", "Receptionist: Prism.\nBarbara: Hello, somebody there just rang me and—\n[line goes dead]"),
                ("fail", "Agent: Hello, Acme.\nCustomer: can you tell me when the refund\n[line goes dead]"),
                ("pass", "Agent: Hello, Acme.\nCustomer: no thanks that's all\n[line goes dead]"),
                ("fail", "Agent: Hello, Acme.\nCustomer: No thanks.\n[call disconnected by agent]"),
                ("pass", "Agent: Hello, Acme.\nCustomer: No thanks.\n[disconnected by customer]"),
                ("fail", "Agent: Let me check. Hold on.\nCustomer: Hello? Hello? Are you still there?"),
                ("fail", "Agent: Fine.\nCustomer: And can you send a bigger car, because we've got—\n*click*"),
                ("fail", "Agent: Yes?\nCustomer: Can I ask about my order?\n[call ends]"),
                ("fail", "Agent: Hi.\nCustomer: I wanted to--\n(Agent puts the phone down)"),
                ("pass", "Agent: Hi.\nCustomer: Thanks, bye.\n[Agent hangs up]"),
                ("pass", "Agent: Hi.\nCustomer: Don't bother.\n[Customer hangs up]"),
                ("pass", "Agent: Hi.\nCustomer: I was going to—\n[Customer hangs up]"),
                ("pass", "Agent: Thanks for calling, bye.\nCustomer: OK. Bye."),
                ("pass", "Agent: Hello?\nCustomer: Can you hear me?\n[line goes dead]\nAgent: Sorry, we got cut off there."),
            ],
        );
    }
}
