//! JSON reader for speech-to-text exports, with `serde_json` (its recursion limit rejects
//! deeply nested input cleanly).
//!
//! Accepted shapes (the first that fits wins):
//! - generic: `{"turns": [{"speaker", "text", "start", "end"}]}` or a bare list of turns
//!   (seconds);
//! - Amazon Transcribe Call Analytics: `{"Transcript": [{"ParticipantRole": "AGENT" |
//!   "CUSTOMER", "Content", "BeginOffsetMillis", "EndOffsetMillis"}]}`: the roles come from
//!   the file (reported as `"by": "file"`);
//! - WhisperX / pyannote-style diarized segments: `{"segments": [{"start", "end", "text",
//!   "speaker"}]}` (seconds);
//! - AssemblyAI: `{"utterances": [{"speaker", "text", "start", "end"}]}` (milliseconds);
//! - Deepgram: `{"results": {"utterances": [{"speaker", "transcript", "start", "end"}]}}`
//!   (seconds; numeric speakers become `Speaker 0`, `Speaker 1`...).
//!
//! An item's `line` in the report is its 1-based position in the list.

use serde_json::Value;

use super::timed::{check_times, Utterance};
use crate::error::{Error, Result};
use crate::transcript::{Role, Transcript};

const SHAPES: &str = "accepted shapes: {\"turns\": [{\"speaker\", \"text\", \"start\", \"end\"}]} or a bare list of such turns; Amazon Transcribe Call Analytics {\"Transcript\": [{\"ParticipantRole\", \"Content\", \"BeginOffsetMillis\", \"EndOffsetMillis\"}]}; WhisperX/pyannote {\"segments\": [{\"start\", \"end\", \"text\", \"speaker\"}]}; AssemblyAI {\"utterances\": [{\"speaker\", \"text\", \"start\", \"end\" (ms)}]}; Deepgram {\"results\": {\"utterances\": [{\"speaker\", \"transcript\", \"start\", \"end\"}]}}";

fn err(message: String, line: Option<usize>) -> Error {
    Error::Format {
        format: "JSON",
        message,
        line,
    }
}

/// Parse a JSON export.
pub fn parse_json(input: &str) -> Result<Transcript> {
    let v: Value = serde_json::from_str(input)
        .map_err(|e| err(format!("invalid JSON: {e}"), Some(e.line())))?;
    let (items, shape): (&Vec<Value>, Shape) = if let Some(a) = v.as_array() {
        (a, Shape::Generic)
    } else if let Some(a) = v.get("turns").and_then(Value::as_array) {
        (a, Shape::Generic)
    } else if let Some(a) = v.get("Transcript").and_then(Value::as_array) {
        (a, Shape::Amazon)
    } else if let Some(a) = v.get("segments").and_then(Value::as_array) {
        (a, Shape::Segments)
    } else if let Some(a) = v.get("utterances").and_then(Value::as_array) {
        (a, Shape::AssemblyAi)
    } else if let Some(a) = v
        .get("results")
        .and_then(|r| r.get("utterances"))
        .and_then(Value::as_array)
    {
        (a, Shape::Deepgram)
    } else {
        return Err(err(format!("unrecognised JSON shape; {SHAPES}"), None));
    };
    let mut utts = Vec::with_capacity(items.len());
    for (k, item) in items.iter().enumerate() {
        utts.push(shape.utterance(item, k + 1)?);
    }
    Ok(super::timed::build(utts, Vec::new()))
}

#[derive(Clone, Copy)]
enum Shape {
    Generic,
    Amazon,
    Segments,
    AssemblyAi,
    Deepgram,
}

fn speaker_of(v: Option<&Value>, numeric_prefix: &str) -> Option<String> {
    match v? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(format!("{numeric_prefix}{n}")),
        _ => None,
    }
}

impl Shape {
    fn utterance(self, item: &Value, n: usize) -> Result<Utterance> {
        let name = match self {
            Shape::Generic => "turn",
            Shape::Amazon => "Transcript item",
            Shape::Segments => "segment",
            Shape::AssemblyAi | Shape::Deepgram => "utterance",
        };
        let missing = |key: &str| err(format!("{name} {n} has no valid `{key}`"), Some(n));
        let num = |key: &str| -> Result<f64> {
            item.get(key)
                .and_then(Value::as_f64)
                .ok_or_else(|| missing(key))
        };
        let text = |key: &str| -> Result<String> {
            item.get(key)
                .and_then(Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| missing(key))
        };
        if !item.is_object() {
            return Err(err(
                format!("{name} {n} is not an object; {SHAPES}"),
                Some(n),
            ));
        }
        let (speaker, words, start, end, role) = match self {
            Shape::Generic => (
                speaker_of(item.get("speaker"), "Speaker ").ok_or_else(|| missing("speaker"))?,
                text("text")?,
                num("start")?,
                num("end")?,
                None,
            ),
            Shape::Amazon => {
                let role = item
                    .get("ParticipantRole")
                    .and_then(Value::as_str)
                    .ok_or_else(|| missing("ParticipantRole"))?;
                let role = match role.to_ascii_uppercase().as_str() {
                    "AGENT" => Role::Agent,
                    "CUSTOMER" => Role::Customer,
                    other => {
                        return Err(err(
                            format!(
                                "{name} {n}: unknown ParticipantRole {other:?} (AGENT or CUSTOMER)"
                            ),
                            Some(n),
                        ))
                    }
                };
                let speaker = if role == Role::Agent {
                    "Agent"
                } else {
                    "Customer"
                };
                (
                    speaker.to_string(),
                    text("Content")?,
                    num("BeginOffsetMillis")? / 1000.0,
                    num("EndOffsetMillis")? / 1000.0,
                    Some(role),
                )
            }
            Shape::Segments => (
                speaker_of(item.get("speaker"), "SPEAKER_")
                    .unwrap_or_else(|| "Unknown".to_string()),
                text("text")?,
                num("start")?,
                num("end")?,
                None,
            ),
            Shape::AssemblyAi => (
                speaker_of(item.get("speaker"), "Speaker ").ok_or_else(|| missing("speaker"))?,
                text("text")?,
                num("start")? / 1000.0,
                num("end")? / 1000.0,
                None,
            ),
            Shape::Deepgram => (
                speaker_of(item.get("speaker"), "Speaker ").ok_or_else(|| missing("speaker"))?,
                text("transcript")?,
                num("start")?,
                num("end")?,
                None,
            ),
        };
        check_times("JSON", start, end, n)?;
        Ok(Utterance {
            speaker,
            text: words,
            start,
            end,
            line: n,
            role,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shape() {
        let generic =
            r#"{"turns": [{"speaker": "Agent", "text": "Hello", "start": 0.5, "end": 1.5}]}"#;
        let bare = r#"[{"speaker": "Agent", "text": "Hello", "start": 0.5, "end": 1.5}]"#;
        let amazon = r#"{"Transcript": [{"ParticipantRole": "AGENT", "Content": "Hello", "BeginOffsetMillis": 500, "EndOffsetMillis": 1500}]}"#;
        let whisperx = r#"{"segments": [{"start": 0.5, "end": 1.5, "text": " Hello", "speaker": "SPEAKER_00"}]}"#;
        let assembly =
            r#"{"utterances": [{"speaker": "A", "text": "Hello", "start": 500, "end": 1500}]}"#;
        let deepgram = r#"{"results": {"utterances": [{"speaker": 0, "transcript": "Hello", "start": 0.5, "end": 1.5}]}}"#;
        for (src, who) in [
            (generic, "Agent"),
            (bare, "Agent"),
            (amazon, "Agent"),
            (whisperx, "SPEAKER_00"),
            (assembly, "A"),
            (deepgram, "Speaker 0"),
        ] {
            let t = parse_json(src).unwrap();
            assert_eq!(t.turns[0].speaker, who);
            assert_eq!(t.turns[0].text, "Hello");
            assert_eq!(
                (t.turns[0].start, t.turns[0].end),
                (Some(0.5), Some(1.5)),
                "{src}"
            );
        }
        assert_eq!(
            parse_json(amazon).unwrap().agent.unwrap().by,
            crate::AgentBy::File
        );
    }

    #[test]
    fn errors_are_clear() {
        let e = parse_json(r#"{"foo": 1}"#).unwrap_err();
        assert!(e.to_string().contains("accepted shapes"), "{e}");
        let e = parse_json(r#"{"turns": [{"speaker": "A", "text": "x", "start": 0, "end": 1}, {"speaker": "B", "text": "y", "start": 5, "end": 2}]}"#).unwrap_err();
        assert_eq!(e.line(), Some(2));
        let deep = "[".repeat(10_000);
        assert_eq!(parse_json(&deep).unwrap_err().kind(), "format");
        let e =
            parse_json(r#"[{"speaker": "A", "text": "x", "start": 1e400, "end": 1}]"#).unwrap_err();
        assert_eq!(e.kind(), "format");
    }

    #[test]
    fn out_of_order_utterances_are_sorted() {
        let t = parse_json(r#"[{"speaker": "B", "text": "second", "start": 5, "end": 6}, {"speaker": "A", "text": "first", "start": 1, "end": 2}]"#).unwrap();
        assert_eq!(t.turns[0].text, "first");
        assert!(t.warnings[0].contains("sorted"));
    }
}
