//! Text output: scorecards and the rule list.

use std::fmt::Write as _;

use callscore::{Report, Ruleset, Status};

use crate::mark;

fn paint(s: &str, code: &str, color: bool) -> String {
    if color {
        format!("\x1b[{code}m{s}\x1b[0m")
    } else {
        s.to_string()
    }
}

/// A readable scorecard: verdict, then a row per rule, evidence and tips under failures.
pub fn scorecard(r: &Report, color: bool) -> String {
    let mut o = String::new();
    if let Some(src) = &r.source {
        let _ = writeln!(o, "{}", paint(src, "1", color));
    }
    let verdict = if r.passed {
        paint("PASS", "32;1", color)
    } else {
        paint("FAIL", "31;1", color)
    };
    let critical: Vec<&str> = r
        .findings
        .iter()
        .filter(|f| f.critical && f.status == Status::Fail)
        .map(|f| &*f.rule)
        .collect();
    let _ = write!(
        o,
        "Score {:.1} / 100  {verdict}  (pass mark {})",
        r.score, r.pass_mark
    );
    if !critical.is_empty() {
        let _ = write!(o, "  critical rule failed: {}", critical.join(", "));
    }
    let by = serde_json::to_value(r.agent.by)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    let _ = writeln!(
        o,
        "\nAgent: {} (by {by}) | {} turns | agent {} words, customer {} words",
        r.agent.speakers.join(", "),
        r.stats.turns,
        r.stats.agent_words,
        r.stats.customer_words
    );
    for w in &r.warnings {
        let _ = writeln!(o, "warning: {w}");
    }
    for f in &r.findings {
        let m = match f.status {
            Status::Pass => paint(mark(f.status), "32", color),
            Status::Fail => paint(mark(f.status), "31", color),
            Status::NotApplicable => paint(mark(f.status), "2", color),
        };
        let crit = if f.critical { "!" } else { " " };
        let _ = writeln!(
            o,
            "  {m} {:<22}{crit}{:>3}  {}",
            f.rule, f.weight, f.message
        );
        if f.status == Status::Fail {
            for e in &f.evidence {
                match &e.speaker {
                    Some(who) => writeln!(o, "         line {}: {who}: \"{}\"", e.line, e.text),
                    None => writeln!(o, "         line {}: [{}]", e.line, e.text),
                }
                .ok();
            }
            let _ = writeln!(o, "         tip: {}", f.tip);
        }
    }
    o
}

/// The rule list (`callscore rules`).
pub fn rules(rs: &Ruleset, show_phrases: bool, json: bool) -> String {
    if json {
        let v: Vec<_> = rs.rules().collect();
        return serde_json::to_string_pretty(&v).unwrap_or_default() + "\n";
    }
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{:<22} {:>6}  {:<8}  description",
        "rule", "weight", "critical"
    );
    for r in rs.rules() {
        let _ = writeln!(
            o,
            "{:<22} {:>6}  {:<8}  {}",
            r.id,
            r.weight,
            if r.critical { "yes" } else { "" },
            r.summary
        );
        if show_phrases {
            for (list, phrases) in &r.phrases {
                let _ = writeln!(o, "    {list}:");
                for p in phrases {
                    let _ = writeln!(o, "      {p}");
                }
            }
        }
    }
    if show_phrases {
        for (list, phrases) in rs.shared_phrases() {
            let _ = writeln!(o, "{list}:");
            for p in phrases {
                let _ = writeln!(o, "      {p}");
            }
        }
    }
    let _ = writeln!(
        o,
        "\npass mark {}; a failed critical rule fails the call whatever the score",
        rs.pass_mark()
    );
    o
}
