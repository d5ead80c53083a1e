#![no_main]
//! Fuzz the rule pack loader; a pack that loads is also checked and used to score.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &str| {
    if let Ok(rs) = callscore::Ruleset::from_toml(data, Some("fuzz.toml")) {
        let _ = rs.check();
        let _ = rs.score("Agent: Hello, Acme, Jo speaking.\nCustomer: It's broken again.\nAgent: Sorry, bye.", &Default::default());
    }
});
