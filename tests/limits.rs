//! Limits and pathological inputs: rejected cleanly or scored in time linear in their
//! size. The bounds here are generous (seconds, not microseconds): they catch a quadratic
//! blow-up (minutes at these sizes), not a slow machine; timings belong to the benchmarks.

use std::time::{Duration, Instant};

use callscore::{Limits, Ruleset, ScoreOptions};

fn rs() -> &'static Ruleset {
    Ruleset::builtin().unwrap()
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let t0 = Instant::now();
    let r = f();
    (r, t0.elapsed())
}

const BOUND: Duration = Duration::from_secs(10);

#[test]
fn input_over_the_size_limit_is_refused() {
    let opts = ScoreOptions {
        limits: Limits {
            max_bytes: 1000,
            ..Limits::default()
        },
        ..Default::default()
    };
    let big = "Agent: hello\n".repeat(100);
    let e = rs().score(&big, &opts).unwrap_err();
    assert_eq!(e.kind(), "too-large");
    assert!(e.to_string().contains("1300 bytes"), "{e}");
    assert_eq!(
        rs().score_bytes(big.as_bytes(), &opts).unwrap_err().kind(),
        "too-large"
    );
}

#[test]
fn a_10_mb_single_line_is_refused_by_the_line_limit() {
    let line = format!("Agent: {}", "blah ".repeat(2_000_000));
    let (r, dt) = timed(|| rs().score(&line, &ScoreOptions::default()));
    let e = r.unwrap_err();
    assert_eq!((e.kind(), e.line()), ("line-too-long", Some(1)));
    assert!(dt < BOUND, "{dt:?}");
    // With the limit raised it is scored.
    let opts = ScoreOptions {
        limits: Limits {
            max_line_bytes: 20 * 1024 * 1024,
            ..Limits::default()
        },
        ..Default::default()
    };
    let (r, dt) = timed(|| rs().score(&line, &opts));
    assert!(r.is_ok());
    assert!(dt < BOUND, "{dt:?}");
}

#[test]
fn one_hundred_thousand_one_word_turns() {
    let mut s = String::new();
    for i in 0..100_000 {
        s.push_str(if i % 2 == 0 {
            "Agent: thanks\n"
        } else {
            "Customer: hello—\n"
        });
    }
    let (r, dt) = timed(|| rs().score(&s, &ScoreOptions::default()));
    let r = r.unwrap();
    assert_eq!(r.stats.turns, 100_000);
    assert!(dt < BOUND, "{dt:?}");
}

#[test]
fn ten_thousand_speakers_and_events() {
    let mut s = String::from("Agent: Hello, this is Jo.\n");
    for i in 0..10_000 {
        s.push_str(&format!("Speaker{i}: hi there\n[Speaker{i} hangs up]\n"));
    }
    let (r, dt) = timed(|| rs().score(&s, &ScoreOptions::default()));
    assert!(r.is_ok());
    assert!(dt < BOUND, "{dt:?}");
}

#[test]
fn deeply_nested_json_and_huge_numbers_are_refused_cleanly() {
    let opts = ScoreOptions::default();
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert_eq!(rs().score(&deep, &opts).unwrap_err().kind(), "format");
    let huge = r#"{"turns": [{"speaker": "A", "text": "hi", "start": 1e308, "end": 1e309}]}"#;
    assert_eq!(rs().score(huge, &opts).unwrap_err().kind(), "format");
}

#[test]
fn a_hostile_pack_pattern_on_a_long_turn_stays_linear() {
    // Nested repetition: exponential for a naive backtracker. The phrase matcher's
    // backtracker gives up to the regex (linear) within a budget.
    let pack = r#"
[pack]
name = "hostile"
extends = "default"

[[rule]]
id = "hostile"
kind = "forbid"
phrases = ["re:(?:a+b?)+c", "re:(?:x|xx)+y"]
"#;
    let rs = Ruleset::from_toml(pack, None).unwrap();
    let text = format!(
        "Agent: Hello. {} {}\nCustomer: Hi.\n",
        "a".repeat(200_000),
        "x".repeat(200_000)
    );
    let opts = ScoreOptions {
        limits: Limits {
            max_line_bytes: 1024 * 1024,
            ..Limits::default()
        },
        ..Default::default()
    };
    let (r, dt) = timed(|| rs.score(&text, &opts));
    let r = r.unwrap();
    assert_eq!(
        r.finding("hostile").unwrap().status,
        callscore::Status::Pass
    );
    assert!(dt < BOUND, "{dt:?}");
}
