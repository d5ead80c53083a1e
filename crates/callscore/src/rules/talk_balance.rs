//! # talk-balance (timed transcripts)
//!
//! **What it checks.** On calls of six turns or more, the agent's share of the talk time
//! (the sum of their utterances' durations over everyone's) is at most 70%. Not applicable
//! on shorter calls and on transcripts without a start and end time on every utterance. The
//! message gives the share.
//!
//! **Why it matters.** An agent who does all the talking is not listening: the customer's
//! need goes unheard and the call feels like a pitch.
//!
//! **Example.**
//! - Pass: agent 55% of the talk time.
//! - Fail: agent 82% of the talk time.
//!
//! **Tip.** Ask open questions and leave the customer room to answer.

use super::{Ctx, Meta, Outcome, Rule};

/// Registry entry.
pub const META: Meta = Meta {
    id: "talk-balance",
    weight: 5,
    critical: false,
    summary: "The agent leaves the customer room to speak.",
    tip: "Ask open questions and leave the customer room to answer; aim to talk less than two thirds of the time.",
};

/// Largest acceptable agent share of the talk time.
pub const MAX_SHARE: f64 = 0.70;

/// The `talk-balance` rule.
#[derive(Debug)]
pub struct TalkBalance;

impl Rule for TalkBalance {
    fn check(&self, ctx: &Ctx<'_>) -> Outcome {
        if !ctx.t.is_timed() {
            return Outcome::na("The transcript has no utterance times.");
        }
        if ctx.t.turns.len() < 6 {
            return Outcome::na("The call has fewer than six turns.");
        }
        let (mut agent, mut all) = (0.0, 0.0);
        for (turn, s, e) in ctx.t.utterances() {
            all += e - s;
            if ctx.is_agent(turn) {
                agent += e - s;
            }
        }
        if all <= 0.0 {
            return Outcome::na("No talk time was recorded.");
        }
        let share = agent / all;
        let pct = (share * 100.0).round();
        if share > MAX_SHARE {
            let ev = ctx.agent_turns().max_by(|&a, &b| {
                let d = |i: usize| {
                    ctx.t.turns[i].end.unwrap_or(0.0) - ctx.t.turns[i].start.unwrap_or(0.0)
                };
                d(a).total_cmp(&d(b))
            });
            Outcome::fail(
                format!(
                    "The agent talked {pct:.0}% of the time (over {:.0}%).",
                    MAX_SHARE * 100.0
                ),
                ev.map(super::Span::Turn).into_iter().collect(),
            )
        } else {
            Outcome::pass(
                format!("The agent talked {pct:.0}% of the time."),
                Vec::new(),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::assert_fixtures;

    fn call(agent_len: f64) -> String {
        let mut turns = Vec::new();
        let mut t = 0.0;
        for k in 0..6 {
            let (who, len) = if k % 2 == 0 {
                ("Agent", agent_len)
            } else {
                ("Customer", 2.0)
            };
            turns.push(format!(
                r#"{{"speaker":"{who}","text":"words here","start":{t},"end":{}}}"#,
                t + len
            ));
            t += len + 0.5;
        }
        format!("[{}]", turns.join(","))
    }

    #[test]
    fn fixtures() {
        assert_fixtures(
            "talk-balance",
            &[
                ("fail", &call(10.0)),
                ("pass", &call(3.0)),
                (
                    "n/a",
                    "Agent: a\nCustomer: b\nAgent: c\nCustomer: d\nAgent: e\nCustomer: f",
                ),
            ],
        );
    }
}
