//! # prompt-greeting (timed transcripts)
//!
//! **What it checks.** The agent's first turn greets (as `greeting` defines it) and starts
//! within 10 seconds of the call's first utterance. Not applicable on transcripts without a
//! start and end time on every utterance (plain text, even with `[00:04]` timestamps), so it
//! never changes an untimed score; not applicable when the agent never speaks.
//!
//! **Why it matters.** Callers who hear nothing for the first seconds think the line is
//! dead or that they are not welcome; a prompt greeting sets a confident tone.
//!
//! **Example.**
//! - Pass: `[0.0-2.1] Agent: Good morning, Acme, this is Jo.`
//! - Fail: `[0.0-3.0] Customer: Hello? Hello?` / `[14.5-16.0] Agent: Hello.` (14.5 s late)
//!
//! **Tip.** Greet within the first few seconds of picking up.

use super::{need, Ctx, Meta, Outcome, Rule, Span};
use crate::matcher::{ListId, PhraseBook};

/// Registry entry.
pub const META: Meta = Meta {
    id: "prompt-greeting",
    weight: 5,
    critical: false,
    summary: "The agent's greeting comes within the first 10 seconds of the call.",
    tip: "Greet within the first few seconds of picking up the call.",
};

/// Seconds within which the greeting must start.
pub const LIMIT_S: f64 = 10.0;

/// The `prompt-greeting` rule.
#[derive(Debug)]
pub struct PromptGreeting {
    greeting: ListId,
}

impl PromptGreeting {
    /// Resolve the rule's phrase list (the greeting rule's).
    pub fn new(book: &PhraseBook) -> Result<Self, String> {
        Ok(PromptGreeting {
            greeting: need(book, "greeting.phrases")?,
        })
    }
}

impl Rule for PromptGreeting {
    fn check(&self, ctx: &Ctx<'_>) -> Outcome {
        if !ctx.t.is_timed() {
            return Outcome::na("The transcript has no utterance times.");
        }
        let Some(first) = ctx.agent_turns().next() else {
            return Outcome::na("The agent never speaks.");
        };
        let call_start = ctx
            .t
            .utterances()
            .iter()
            .map(|u| u.1)
            .fold(f64::INFINITY, f64::min);
        let at = ctx.t.turns[first].start.unwrap_or(call_start) - call_start;
        match ctx.first_in(self.greeting, first) {
            Some(h) if at <= LIMIT_S => Outcome::pass(
                format!("The agent greeted {at:.1} s into the call."),
                vec![ctx.span(&h)],
            ),
            Some(h) => Outcome::fail(
                format!("The agent's greeting came {at:.1} s into the call (over {LIMIT_S:.0} s)."),
                vec![ctx.span(&h)],
            ),
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
            "prompt-greeting",
            &[
                (
                    "pass",
                    r#"[{"speaker":"Agent","text":"Good morning, Acme.","start":0.5,"end":2},{"speaker":"Customer","text":"Hi.","start":2.5,"end":3}]"#,
                ),
                (
                    "fail",
                    r#"[{"speaker":"Customer","text":"Hello?","start":0,"end":1},{"speaker":"Agent","text":"Hello, Acme.","start":14.5,"end":16}]"#,
                ),
                (
                    "fail",
                    r#"[{"speaker":"Agent","text":"Acme.","start":0,"end":1},{"speaker":"Customer","text":"Hi.","start":2,"end":3}]"#,
                ),
                ("n/a", "[00:00] Agent: Good morning.\n[00:20] Customer: Hi."),
            ],
        );
    }
}
