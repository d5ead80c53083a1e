//! The same call written in every supported format scores the same: every timed format
//! gives identical verdicts and score; the plain text version (start times only) agrees on
//! every rubric rule and leaves the timing rules `n/a`.

use std::path::PathBuf;

use callscore::{Format, Report, Ruleset, ScoreOptions, Status};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/formats")
}

fn score(name: &str, format: Format) -> Report {
    let bytes = std::fs::read(dir().join(name)).unwrap();
    let opts = ScoreOptions {
        format,
        ..Default::default()
    };
    Ruleset::builtin()
        .unwrap()
        .score_bytes(&bytes, &opts)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn verdicts(r: &Report) -> Vec<(String, Status)> {
    r.findings
        .iter()
        .map(|f| (f.rule.to_string(), f.status))
        .collect()
}

const TIMED: &[&str] = &[
    "call.vtt",
    "call.srt",
    "call.json",
    "call.amazon.json",
    "call.whisperx.json",
    "call.assemblyai.json",
    "call.deepgram.json",
];
const TIMING_RULES: &[&str] = &["prompt-greeting", "dead-air", "talk-balance"];

#[test]
fn every_format_scores_the_same_call_the_same() {
    let reference = score("call.json", Format::Json);
    assert_eq!(reference.finding("dead-air").unwrap().status, Status::Fail);
    for name in TIMED {
        for format in [
            Format::Auto,
            Format::from_extension(name.rsplit('.').next().unwrap()).unwrap(),
        ] {
            let r = score(name, format);
            assert_eq!(verdicts(&r), verdicts(&reference), "{name} ({format:?})");
            assert_eq!(r.score, reference.score, "{name}");
            assert_eq!(r.stats, reference.stats, "{name}");
            assert_eq!(r.agent.speakers.len(), 1, "{name}");
        }
    }
    let text = score("call.txt", Format::Auto);
    for ((rule, a), (_, b)) in verdicts(&text).iter().zip(verdicts(&reference)) {
        if TIMING_RULES.contains(&rule.as_str()) {
            assert_eq!(
                *a,
                Status::NotApplicable,
                "{rule} must be n/a without end times"
            );
        } else {
            assert_eq!(*a, b, "{rule}");
        }
    }
    assert_eq!(text.stats.duration_s, None);
}

#[test]
fn timed_stats_and_evidence_times() {
    let r = score("call.vtt", Format::Auto);
    let s = &r.stats;
    assert_eq!(s.duration_s, Some(32.0));
    assert_eq!(s.longest_silence_s, Some(12.1));
    assert_eq!(s.interruptions.map(|i| (i.agent, i.customer)), Some((0, 0)));
    let talk = s.talk_s.unwrap();
    assert_eq!((talk.agent, talk.customer), (9.2, 8.0));
    assert!(s.words_per_minute.unwrap().agent.unwrap() > 60.0);
    let dead = r.finding("dead-air").unwrap();
    assert!(dead.message.contains("12.1 s"), "{}", dead.message);
    assert_eq!(dead.evidence[0].start_s, Some(3609.5));
    // Roles from labels are inferred, and the report says so.
    let w = score("call.whisperx.json", Format::Auto);
    assert_eq!(
        (w.agent.speakers[0].as_str(), w.agent.by),
        ("SPEAKER_01", callscore::AgentBy::Inference)
    );
    assert!(w.warnings.iter().any(|x| x.contains("sorted")));
    let a = score("call.amazon.json", Format::Auto);
    assert_eq!(a.agent.by, callscore::AgentBy::File);
}

#[test]
fn labels_can_be_named_by_option() {
    let bytes = std::fs::read(dir().join("call.assemblyai.json")).unwrap();
    let opts = ScoreOptions {
        agents: vec!["B".into()],
        ..Default::default()
    };
    let r = Ruleset::builtin()
        .unwrap()
        .score_bytes(&bytes, &opts)
        .unwrap();
    assert_eq!(
        (r.agent.speakers.clone(), r.agent.by),
        (vec!["B".to_string()], callscore::AgentBy::Option)
    );
    assert_eq!(r.finding("identification").unwrap().status, Status::Fail);
}
