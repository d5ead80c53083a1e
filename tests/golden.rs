//! The golden examples of `../shared/examples/` must match `expected.json` exactly:
//! every rule status, the score, passed, the agent speakers and, where given, what a
//! message lacks. Skips (saying so) when `../shared` is absent.

use std::path::PathBuf;

use callscore::{Ruleset, ScoreOptions};
use serde_json::Value;

fn shared() -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/examples");
    p.join("expected.json").exists().then_some(p)
}

#[test]
fn golden_examples_match_expected_json() {
    let Some(dir) = shared() else {
        eprintln!("SKIPPED: ../shared/examples not found; golden examples not checked");
        return;
    };
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap()).unwrap();
    let rs = Ruleset::builtin().unwrap();
    let mut failures = Vec::new();
    let cases = expected.as_object().unwrap();
    assert_eq!(cases.len(), 23, "expected.json should hold 23 examples");
    for (name, exp) in cases {
        let text = std::fs::read_to_string(dir.join(name)).unwrap();
        let r = rs.score(&text, &ScoreOptions::default()).unwrap();
        for (rule, status) in exp["rules"].as_object().unwrap() {
            let got = r
                .finding(rule)
                .map(|f| f.status.as_str())
                .unwrap_or("missing");
            if got != status.as_str().unwrap() {
                failures.push(format!("{name}: {rule} is {got}, expected {status}"));
            }
        }
        // Rules outside the rubric table (none yet) must be n/a on these untimed examples.
        for f in &r.findings {
            if exp["rules"].get(&*f.rule).is_none() && f.status != callscore::Status::NotApplicable
            {
                failures.push(format!("{name}: extra rule {} is not n/a", f.rule));
            }
        }
        if r.score != exp["score"].as_f64().unwrap() {
            failures.push(format!(
                "{name}: score {} expected {}",
                r.score, exp["score"]
            ));
        }
        if r.passed != exp["passed"].as_bool().unwrap() {
            failures.push(format!(
                "{name}: passed {} expected {}",
                r.passed, exp["passed"]
            ));
        }
        let agents: Vec<String> = serde_json::from_value(exp["agent"].clone()).unwrap();
        if r.agent.speakers != agents {
            failures.push(format!(
                "{name}: agent {:?} expected {agents:?}",
                r.agent.speakers
            ));
        }
        if let Some(missing) = exp.get("missing") {
            let m: Vec<String> = serde_json::from_value(missing.clone()).unwrap();
            let got = &r.finding("message-taking").unwrap().missing;
            if got != &m {
                failures.push(format!("{name}: missing {got:?} expected {m:?}"));
            }
        }
        // Every failing rule points at something.
        for f in r.failed() {
            if f.evidence.is_empty() {
                failures.push(format!("{name}: {} fails without evidence", f.rule));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
