#![no_main]
//! Fuzz the json reader and the scorer on its output: no input may panic, and every
//! evidence span must slice its turn's text.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &str| {
    let Ok(rs) = callscore::Ruleset::builtin() else { return };
    let opts = callscore::ScoreOptions { format: callscore::Format::Json, ..Default::default() };
    if let Ok((report, t)) = rs.score_with_transcript(data, &opts) {
        for f in &report.findings {
            for e in &f.evidence {
                assert!(e.start <= e.end);
                if let Some(i) = e.turn {
                    let text: String = t.turns[i].text.chars().skip(e.start).take(e.end - e.start).collect();
                    assert_eq!(text, e.text);
                }
            }
        }
        let _ = report.to_json();
    }
});
