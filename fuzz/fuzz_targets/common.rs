//! Shared by the reader targets: score `data` read as `format`; no input may panic, and
//! every evidence span must slice its turn's text.

pub fn check(data: &str, format: callscore::Format) {
    let Ok(rs) = callscore::Ruleset::builtin() else { return };
    let opts = callscore::ScoreOptions { format, ..Default::default() };
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
}
