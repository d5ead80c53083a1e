//! # no-interruption
//!
//! **What it checks.** No agent turn directly follows a customer turn that is cut off
//! (ends with `-`, `--`, `—` or `–`): that means the agent talked over the customer. A
//! cut-off customer turn followed by no agent speech at all is not an interruption (the
//! call ended on it: that is `no-hang-up`'s case). An agent's "Thanks, bye" or "Sorry, go
//! on" straight after a cut-off is still an interruption; rules are judged independently.
//! With times on every utterance (WebVTT, SRT, JSON), an agent turn that starts more than
//! 0.5 s before the previous customer turn ends is also an interruption.
//!
//! **Why it matters.** Being talked over tells the customer their words don't matter, and
//! the agent misses what they were about to say.
//!
//! **Example.**
//! - Pass: `Customer: I wanted to ask about my renewal.` / `Agent: Of course.`
//! - Fail: `Customer: I'm moving house and I—` / `Agent: Your renewal is on the first of June.`
//!
//! **Tip.** Let the customer finish; pause a beat before you answer.

use super::{Ctx, Meta, Outcome, Rule, Span};

/// Registry entry.
pub const META: Meta = Meta {
    id: "no-interruption",
    weight: 5,
    critical: false,
    summary: "The agent does not cut the customer off.",
    tip: "Let the customer finish; pause a beat before you answer.",
};

/// With times: how far an agent may start before the customer's turn ends, in seconds.
pub const OVERLAP_S: f64 = 0.5;

/// The `no-interruption` rule.
#[derive(Debug)]
pub struct NoInterruption;

impl Rule for NoInterruption {
    fn check(&self, ctx: &Ctx<'_>) -> Outcome {
        let n = ctx.t.turns.len();
        let mut evidence = Vec::new();
        let timed = ctx.t.is_timed();
        for i in 0..n.saturating_sub(1) {
            if ctx.is_agent(i) || !ctx.is_agent(i + 1) {
                continue;
            }
            let overlap = timed
                && match (ctx.t.turns[i + 1].start, ctx.t.turns[i].end) {
                    (Some(s), Some(e)) => s < e - OVERLAP_S,
                    _ => false,
                };
            if ctx.cut_off(i) || overlap {
                evidence.push(Span::Turn(i));
                evidence.push(Span::Turn(i + 1));
            }
        }
        if evidence.is_empty() {
            Outcome::pass("The agent let the customer finish.", Vec::new())
        } else {
            let times = evidence.len() / 2;
            Outcome::fail(
                format!(
                    "The agent talked over the customer {} (a customer turn cut off and the agent speaking next).",
                    if times == 1 { "once".to_string() } else { format!("{times} times") }
                ),
                evidence,
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
            "no-interruption",
            &[
                ("fail", "Agent: Hi.\nCustomer: I'm moving house and I—\nAgent: Your renewal is in June."),
                ("fail", "Agent: Hi.\nCustomer: Wait, I--\nAgent: Thanks, bye."),
                ("pass", "Agent: Hi.\nCustomer: I was going to—\n[Agent hangs up]"),
                ("pass", "Agent: Hi.\nCustomer: It's a well-known issue.\nAgent: Yes."),
                ("pass", "Agent: Hi.\nCustomer: I was going to—\nCustomer: —ask about my bill.\nAgent: Sure."),
                ("fail", r#"[{"speaker":"Agent","text":"Hi.","start":0,"end":1},{"speaker":"Customer","text":"I wanted to ask about my bill","start":1.5,"end":5},{"speaker":"Agent","text":"Sure.","start":3.9,"end":4.5}]"#),
                ("pass", r#"[{"speaker":"Agent","text":"Hi.","start":0,"end":1},{"speaker":"Customer","text":"I wanted to ask about my bill","start":1.5,"end":5},{"speaker":"Agent","text":"Sure.","start":4.7,"end":5.5}]"#),
            ],
        );
    }
}
