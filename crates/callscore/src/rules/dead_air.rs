//! # dead-air (timed transcripts)
//!
//! **What it checks.** No silence between two consecutive utterances (whoever speaks, also
//! within one speaker's turn) lasts over 10 seconds, unless the agent's latest turn
//! announced it before it began ("let me check", "let me just pull up your account", "bear
//! with me", "one moment", "can I put you on hold", "I'll just look that up"; a "bear with
//! me" said after the silence is too late). Not applicable on transcripts without a start
//! and end time on every utterance. Evidence: the utterances around each silence (just those
//! utterances, also when a turn holds several); the message gives its length.
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
        // Each utterance (a segment of a turn) with its times, in transcript order.
        let utts = ctx.t.turns.iter().enumerate().flat_map(|(i, t)| {
            t.segments
                .iter()
                .enumerate()
                .filter_map(move |(k, s)| Some((i, k, s.start?, s.end?)))
        });
        // An utterance as evidence: its own words (a turn can hold several utterances,
        // and a silence between two of them is about those two).
        let words = |i: usize, k: usize| ctx.segment(i, k).unwrap_or(Span::Turn(i));
        let mut evidence = Vec::new();
        let mut worst: Option<(f64, bool, Span)> = None; // (gap, agent's, words before)
        let mut covered: Option<(f64, usize, usize)> = None; // (end, turn, segment)
        let mut last_agent: Option<(usize, usize)> = None; // the agent's latest utterance
        for (turn, seg, start, end) in utts {
            if let Some((prev_end, prev_turn, prev_seg)) = covered {
                let gap = start - prev_end;
                if gap > LIMIT_S {
                    // Announced: the agent's latest turn said so, before the silence.
                    let announced =
                        last_agent
                            .filter(|&(i, _)| i <= prev_turn)
                            .is_some_and(|(i, k)| {
                                let before = match words(i, k) {
                                    Span::Range { end, .. } => end,
                                    _ => usize::MAX,
                                };
                                ctx.first_in(self.announce, i)
                                    .is_some_and(|h| h.start < before)
                            });
                    if !announced {
                        let (a, b) = (words(prev_turn, prev_seg), words(turn, seg));
                        // (The words after one silence may be the words before the next.)
                        if evidence.last() != Some(&a) {
                            evidence.push(a);
                        }
                        evidence.push(b);
                        if worst.is_none_or(|(g, _, _)| gap > g) {
                            worst = Some((gap, ctx.is_agent(prev_turn), a));
                        }
                    }
                }
            }
            if ctx.is_agent(turn) {
                last_agent = Some((turn, seg));
            }
            covered = Some(match covered {
                Some(c) if c.0 >= end => c,
                _ => (end, turn, seg),
            });
        }
        match worst {
            None => Outcome::pass(
                format!("No unannounced silence over {LIMIT_S:.0} s."),
                Vec::new(),
            ),
            Some((gap, agents, before)) => {
                let who = if agents {
                    "the agent's"
                } else {
                    "the customer's"
                };
                let q = if ctx.quote(before).trim_end().ends_with('?') {
                    " question"
                } else {
                    " words"
                };
                let more = if evidence.len() > 2 {
                    " (and more)"
                } else {
                    ""
                };
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
    use crate::rules::{assert_fixtures, check};

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
                (
                    "pass",
                    r#"[{"speaker":"Agent","text":"Hello, Acme.","start":0,"end":2},{"speaker":"Customer","text":"Can you update my address?","start":2.5,"end":4},{"speaker":"Agent","text":"Of course. Let me just pull up your policy.","start":4.5,"end":6},{"speaker":"Agent","text":"Thanks for waiting.","start":21,"end":22}]"#,
                ),
            ],
        );
    }

    #[test]
    fn a_silence_inside_a_turn_points_at_the_words_around_it() {
        // One agent turn of three utterances; the announcement comes only after the
        // silence, so it does not count.
        let f = check(
            "dead-air",
            r#"[{"speaker":"Agent","text":"Hello, Acme.","start":0,"end":2},{"speaker":"Customer","text":"Can you update my address?","start":2.5,"end":4},{"speaker":"Agent","text":"Sure. What's the policy number?","start":4.5,"end":6},{"speaker":"Agent","text":"Are you there? Bear with me.","start":21,"end":22},{"speaker":"Agent","text":"Right.","start":23,"end":24}]"#,
        );
        assert_eq!(f.status, crate::Status::Fail);
        assert_eq!(
            f.message,
            "Silence of 15.0 s after the agent's question, not announced."
        );
        let quoted: Vec<(&str, usize, usize)> = f
            .evidence
            .iter()
            .map(|e| (e.text.as_str(), e.start, e.end))
            .collect();
        assert_eq!(
            quoted,
            [
                ("Sure. What's the policy number?", 0, 31),
                ("Are you there? Bear with me.", 32, 60),
            ]
        );
    }
}
