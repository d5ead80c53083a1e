#![no_main]
//! Fuzz raw bytes: decoding (UTF-8, BOMs, UTF-16, lossy), format detection and scoring.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(rs) = callscore::Ruleset::builtin() else { return };
    for lossy in [false, true] {
        let opts = callscore::ScoreOptions { lossy, ..Default::default() };
        let _ = rs.score_bytes(data, &opts);
    }
});
