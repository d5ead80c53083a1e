//! Property tests: no input makes any reader, the scorer or the pack loader panic; every
//! evidence span slices its turn's text; scoring is deterministic and independent of the
//! batch and of the thread count; a report's JSON is byte for byte what serde writes.

use callscore::{Format, Limits, Ruleset, ScoreOptions};
use proptest::prelude::*;

fn rs() -> &'static Ruleset {
    Ruleset::builtin().unwrap()
}

/// Transcript-like text: speaker lines, continuations, events, annotations, timestamps,
/// dashes, curly quotes, invisible and bidi characters, CR/LF mixes.
fn transcript_like() -> impl Strategy<Value = String> {
    let word = prop_oneof![
        "[a-zA-Z]{1,8}",
        Just("hello".to_string()),
        Just("thanks".to_string()),
        Just("bye".to_string()),
        Just("sorry".to_string()),
        Just("I'll get her to call you".to_string()),
        Just("whatever".to_string()),
        Just("this is ridiculous".to_string()),
        Just("can I take a message".to_string()),
        Just("[noise]".to_string()),
        Just("(laughs)".to_string()),
        Just("—".to_string()),
        Just("’".to_string()),
        Just("\u{200b}".to_string()),
        Just("\u{202e}".to_string()),
        Just("Zoë".to_string()),
        Just("日本".to_string()),
        Just("?".to_string()),
        Just("*click*".to_string()),
        Just("\"quoted\"".to_string()),
        Just("back\\slash".to_string()),
        Just("tab\there".to_string()),
        Just("bell\u{7}".to_string()),
    ];
    let speaker = prop_oneof![
        Just("Agent".to_string()),
        Just("Customer".to_string()),
        Just("Jo".to_string()),
        Just("Caller".to_string()),
        "[A-Za-z]{1,6}",
    ];
    let line = prop_oneof![
        4 => (speaker, prop::collection::vec(word.clone(), 0..8)).prop_map(|(s, w)| format!("{s}: {}", w.join(" "))),
        1 => prop::collection::vec(word.clone(), 1..5).prop_map(|w| w.join(" ")),
        1 => prop_oneof![Just("[Agent hangs up]"), Just("[Customer hangs up]"), Just("*click*"), Just("(line goes dead)"), Just("# agent: Jo"), Just("# org: Acme"), Just("[00:01] Agent: hi"), Just("")].prop_map(str::to_string),
    ];
    (
        prop::collection::vec(line, 0..14),
        prop_oneof![Just("\n"), Just("\r\n"), Just("\r")],
    )
        .prop_map(|(lines, nl)| lines.join(nl))
}

fn check_evidence(text: &str) {
    let Ok((report, t)) = rs().score_with_transcript(text, &ScoreOptions::default()) else {
        return;
    };
    for f in &report.findings {
        for e in &f.evidence {
            assert!(e.start <= e.end, "{f:?}");
            let source: &str = match e.turn {
                Some(i) => &t.turns[i].text,
                None => {
                    &t.events
                        .iter()
                        .find(|ev| ev.line == e.line)
                        .expect("event")
                        .text
                }
            };
            let chars: Vec<char> = source.chars().collect();
            assert!(
                e.end <= chars.len(),
                "{} > {} in {source:?}",
                e.end,
                chars.len()
            );
            let slice: String = chars[e.start..e.end].iter().collect();
            assert_eq!(slice, e.text);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn no_reader_panics_on_any_string(s in ".{0,400}") {
        for f in [Format::Auto, Format::Text, Format::Vtt, Format::Srt, Format::Json] {
            let _ = callscore::parse::read(&s, f, &Limits::default());
        }
        let _ = rs().score(&s, &ScoreOptions::default());
    }

    #[test]
    fn no_panic_on_any_bytes(b in prop::collection::vec(any::<u8>(), 0..400), lossy in any::<bool>()) {
        let opts = ScoreOptions { lossy, ..Default::default() };
        let _ = rs().score_bytes(&b, &opts);
    }

    #[test]
    fn structured_inputs_do_not_panic(s in "(WEBVTT\n\n)?([0-9]{1,2}\n)?[0-9:.,]{0,12} --> [0-9:.,]{0,12}( align:start)?\n(<v [A-Za-z]{1,5}>)?[a-z :]{0,20}\n\n.{0,40}") {
        let _ = rs().score(&s, &ScoreOptions::default());
    }

    #[test]
    fn json_shaped_inputs_do_not_panic(s in r#"\{"(turns|segments|utterances|Transcript|results)": \[(\{("(speaker|text|start|end|Content|ParticipantRole|transcript)": ("[A-Z a-z]{0,6}"|-?[0-9]{1,3}(\.[0-9])?|1e999|null), ?){0,4}\}, ?){0,4}\]\}"#) {
        let _ = rs().score(&s, &ScoreOptions { format: Format::Json, ..Default::default() });
    }

    #[test]
    fn evidence_spans_slice_the_turn_text(s in transcript_like()) {
        check_evidence(&s);
    }

    #[test]
    fn scoring_is_deterministic(s in transcript_like()) {
        let a = rs().score(&s, &ScoreOptions::default()).map(|r| r.to_json());
        let b = rs().score(&s, &ScoreOptions::default()).map(|r| r.to_json());
        prop_assert_eq!(a, b);
    }

    #[test]
    fn report_json_is_what_serde_writes(s in transcript_like(), src in "[a-z\"\\\\/]{0,6}") {
        let opts = ScoreOptions { source: Some(src), ..Default::default() };
        if let Ok(r) = rs().score(&s, &opts) {
            prop_assert_eq!(r.to_json(), serde_json::to_string(&r).unwrap());
        }
    }

    #[test]
    fn pack_loader_never_panics(s in r#"(\[pack\]\n|\[\[rule\]\]\n|\[rules\.[a-z-]{1,12}\]\n|id = "[a-z]{0,5}"\n|kind = "(require|forbid|sequence|respond|x)"\n|phrases = \["[a-z (){}|?re:\\]{0,12}"\]\n|weight = -?[0-9]{1,3}\n|within = \{ first_turns = [0-9] \}\n|enabled = false\n|.{0,10}\n){0,8}"#) {
        if let Ok(rs) = Ruleset::from_toml(&s, Some("fuzz.toml")) {
            let _ = rs.check();
            let _ = rs.score("Agent: hello there\nCustomer: hi", &ScoreOptions::default());
        }
    }
}

#[test]
fn a_transcript_scores_the_same_alone_in_a_batch_and_on_any_thread_count() {
    let texts: Vec<String> = callscore_suite::generate(9, 300, 2, 30);
    let alone: Vec<String> = texts
        .iter()
        .map(|t| rs().score(t, &Default::default()).unwrap().to_json())
        .collect();
    for threads in [1, 2, 4] {
        let pool = rayon_pool(threads);
        let batch: Vec<String> = pool.install(|| {
            use rayon::prelude::*;
            texts
                .par_iter()
                .map(|t| rs().score(t, &Default::default()).unwrap().to_json())
                .collect()
        });
        assert_eq!(batch, alone, "threads = {threads}");
    }
    // Reversed order: still the same per transcript.
    let rev: Vec<String> = texts
        .iter()
        .rev()
        .map(|t| rs().score(t, &Default::default()).unwrap().to_json())
        .collect();
    assert!(rev.iter().rev().eq(alone.iter()));
}

fn rayon_pool(n: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .build()
        .unwrap()
}
