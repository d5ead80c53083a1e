//! # dead-air (timed transcripts)
//!
//! **What it checks.** No silence between two consecutive utterances (whoever speaks, also
//! within one speaker's turn) lasts over 10 seconds, unless the last thing the agent said
//! before it announced it ("let me check", "bear with me", "one moment", "can I put you on
//! hold", "I'll just look that up"). Not applicable on transcripts without a start and end
//! time on every utterance. Evidence: the utterances around each silence; the message gives
//! its length.
//!
//! **Why it matters.** Unexplained silence on a phone call feels like being forgotten or
//! cut off; customers hang up or get anxious.
//!
//! **Example.**
//! - Pass: `Agent: Bear with me while I check.` … 25 s … `Agent: Thanks for waiting.`
//! - Fail: `Customer: Can you check my order?` … 14.2 s … `Agent: Right.`
//!
//! **Tip.** Never leave the line silent: say what you are doing, or ask to put the caller on hold.

use super::{need, Ctx, Meta, Outcome, Rule, Span};
use crate::matcher::{ListId, PhraseBook};

/// Registry entry.
pub const META: Meta = Meta {
    id: "dead-air",
    weight: 5,
    critical: false,
    summary: "No silence over 10 s that the agent did not announce.",
    tip: "Never leave the line silent: tell the caller what you are doing (\"bear with me while I check\") or ask to put them on hold.",
};

/// Longest acceptable unannounced silence, in seconds.
pub const LIMIT_S: f64 = 10.0;

/// The `dead-air` rule.
#[derive(Debug)]
pub struct DeadAir {
    announce: ListId,
}

impl DeadAir {
    /// Resolve the rule's phrase list.
    pub fn new(book: &PhraseBook) -> Result<Self, String> {
        Ok(DeadAir {
            announce: need(book, "dead-air.announce")?,
        })
    }
}

impl Rule for DeadAir {
    fn check(&self, ctx: &Ctx<'_>) -> Outcome {
        if !ctx.t.is_timed() {
            return Outcome::na("The transcript has no utterance times.");
        }
        let utts = ctx.t.utterances();
        let mut evidence = Vec::new();
        let mut worst: Option<(f64, usize)> = None;
        let mut covered: Option<(f64, usize)> = None; // (end, turn of the utterance)
        let mut last_agent: Option<usize> = None; // the agent's latest turn so far
        for &(turn, start, end) in &utts {
            if let Some((prev_end, prev_turn)) = covered {
                let gap = start - prev_end;
                if gap > LIMIT_S {
                    let announced = last_agent
                        .filter(|&i| i <= prev_turn)
                        .is_some_and(|i| ctx.first_in(self.announce, i).is_some());
                    if !announced {
                        evidence.push(Span::Turn(prev_turn));
                        if turn != prev_turn {
                            evidence.push(Span::Turn(turn));
                        }
                        if worst.is_none_or(|(g, _)| gap > g) {
                            worst = Some((gap, prev_turn));
                        }
                    }
                }
            }
            if ctx.is_agent(turn) {
                last_agent = Some(turn);
            }
            covered = Some(match covered {
                Some((e, t)) if e >= end => (e, t),
                _ => (end, turn),
            });
        }
        match worst {
            None => Outcome::pass(
                format!("No unannounced silence over {LIMIT_S:.0} s."),
                Vec::new(),
            ),
            Some((gap, t)) => {
                let who = if ctx.is_agent(t) {
                    "the agent's"
                } else {
                    "the customer's"
                };
                let q = if ctx.text(t).ends_with('?') {
                    " question"
                } else {
                    " words"
                };
                let n = evidence
                    .iter()
                    .filter(|s| matches!(s, Span::Turn(_)))
                    .count();
                let more = if n > 2 { " (and more)" } else { "" };
                Outcome::fail(
                    format!("Silence of {gap:.1} s after {who}{q}, not announced{more}."),
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
            "dead-air",
            &[
                (
                    "fail",
                    r#"[{"speaker":"Agent","text":"Hello, Acme.","start":0,"end":2},{"speaker":"Customer","text":"Can you check my order?","start":2.5,"end":4},{"speaker":"Agent","text":"Right.","start":18.2,"end":19}]"#,
                ),
                (
                    "pass",
                    r#"[{"speaker":"Agent","text":"Hello, Acme.","start":0,"end":2},{"speaker":"Customer","text":"Can you check my order?","start":2.5,"end":4},{"speaker":"Agent","text":"Bear with me while I check.","start":4.5,"end":6},{"speaker":"Agent","text":"Thanks for waiting.","start":30,"end":31}]"#,
                ),
                (
                    "pass",
                    r#"[{"speaker":"Agent","text":"Hello.","start":0,"end":2},{"speaker":"Customer","text":"Hi.","start":9,"end":10}]"#,
                ),
                ("n/a", "Agent: Hello.\nCustomer: Hi."),
            ],
        );
    }
}
