//! The report: a public, versioned JSON contract (see the README, "Report format").

use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::transcript::AgentInfo;

/// Version of the JSON report schema. Bumped on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

/// Text a report shares with its ruleset: a rule's id and coaching tip.
///
/// A report copies a pointer to its rules' text, which lives as long as the program: the
/// built-in rules' is `'static`, and a pack's is interned when the pack is compiled (kept
/// for the life of the process, once per distinct string: see [`intern`]). A report read
/// back from JSON counts references to its own. (Every report used to take a reference
/// count on each id and tip: for the built-in rules 28 atomic increments a report and as
/// many decrements when it was dropped, and on two threads those counters, shared by every
/// report, bounced between the cores' caches: the library scored STAR at 166,000
/// transcripts/s on two threads instead of 180,000. A 200-rule pack's reports took 428,
/// and scored STAR at 18.5 µs a call instead of 14.3.) Reads as a `&str`; serialises as
/// a JSON string.
///
/// 16 bytes, the size of a `&str`: the counted text is behind one thin pointer, so that
/// the enum needs no room of its own for which variant it is. (With `Arc<str>`, a fat
/// pointer, it was 24, and a finding, which holds two, 128 bytes instead of 112: a
/// 200-rule pack's report writes 214 of them.)
#[derive(Clone)]
pub enum SharedStr {
    /// Text that lives as long as the program (the built-in rules', and a pack's, interned).
    Static(&'static str),
    /// Text shared by reference count (a report read back from JSON).
    Counted(Arc<String>),
}

impl std::ops::Deref for SharedStr {
    type Target = str;
    fn deref(&self) -> &str {
        match self {
            SharedStr::Static(s) => s,
            SharedStr::Counted(s) => s,
        }
    }
}

impl AsRef<str> for SharedStr {
    fn as_ref(&self) -> &str {
        self
    }
}

impl std::fmt::Debug for SharedStr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&**self, f)
    }
}

impl std::fmt::Display for SharedStr {
    /// As a `str` is shown, width and alignment included (`{:<22}` pads a rule id).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self)
    }
}

impl PartialEq for SharedStr {
    fn eq(&self, other: &SharedStr) -> bool {
        **self == **other
    }
}

impl Eq for SharedStr {}

impl PartialEq<str> for SharedStr {
    fn eq(&self, other: &str) -> bool {
        &**self == other
    }
}

impl PartialEq<&str> for SharedStr {
    fn eq(&self, other: &&str) -> bool {
        &**self == *other
    }
}

impl From<&'static str> for SharedStr {
    fn from(s: &'static str) -> SharedStr {
        SharedStr::Static(s)
    }
}

impl From<String> for SharedStr {
    fn from(s: String) -> SharedStr {
        SharedStr::Counted(Arc::new(s))
    }
}

impl From<Arc<String>> for SharedStr {
    fn from(s: Arc<String>) -> SharedStr {
        SharedStr::Counted(s)
    }
}

impl From<Arc<str>> for SharedStr {
    /// (Copies the text: the counted variant holds an `Arc<String>`.)
    fn from(s: Arc<str>) -> SharedStr {
        SharedStr::Counted(Arc::new(s.to_string()))
    }
}

impl Serialize for SharedStr {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self)
    }
}

impl<'de> Deserialize<'de> for SharedStr {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<SharedStr, D::Error> {
        String::deserialize(deserializer).map(SharedStr::from)
    }
}

/// `s`, kept for the life of the process: the first time a string is interned it is
/// copied and leaked, and every later call with the same text returns that copy.
///
/// For the text every report of a pack points at (its rules' ids, tips and fixed
/// messages), which a report then copies as a pointer, with no reference count to take and
/// drop (see [`SharedStr`]). The memory kept is bounded by the distinct texts of the packs
/// a process compiles: compiling the same pack again (a notebook re-running a cell, a
/// service reloading its pack) adds nothing.
pub(crate) fn intern(s: &str) -> &'static str {
    static TEXTS: std::sync::OnceLock<std::sync::Mutex<std::collections::HashSet<&'static str>>> =
        std::sync::OnceLock::new();
    let mut texts = TEXTS
        .get_or_init(Default::default)
        .lock()
        // (Nothing panics while holding the lock: a poisoned set is still whole.)
        .unwrap_or_else(|p| p.into_inner());
    if let Some(&t) = texts.get(s) {
        return t;
    }
    let t: &'static str = Box::leak(s.into());
    texts.insert(t);
    t
}

/// A rule's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Status {
    /// The rule was met.
    #[serde(rename = "pass")]
    Pass,
    /// The rule was broken.
    #[serde(rename = "fail")]
    Fail,
    /// The rule does not apply to this call.
    #[serde(rename = "n/a")]
    NotApplicable,
}

impl Status {
    /// `"pass"`, `"fail"` or `"n/a"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::NotApplicable => "n/a",
        }
    }
}

/// The words behind a verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// Index of the speech turn, or `null` when the evidence is an event.
    pub turn: Option<usize>,
    /// 1-based source line.
    pub line: usize,
    /// The speaker, or `null` for an event.
    pub speaker: Option<String>,
    /// Start offset in characters (Unicode scalar values) into the turn's (or event's) text.
    pub start: usize,
    /// End offset (exclusive) in characters.
    pub end: usize,
    /// The quoted words: `text == turn_text[start:end]` in Python.
    pub text: String,
    /// Start time of the turn or event in seconds, where known.
    pub start_s: Option<f64>,
    /// End time of the turn in seconds, where known.
    pub end_s: Option<f64>,
}

/// One rule's verdict with its evidence and coaching tip.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// The rule id (shared with the ruleset: a report does not copy it).
    pub rule: SharedStr,
    /// The verdict.
    pub status: Status,
    /// The rule's weight.
    pub weight: u32,
    /// Whether failing this rule fails the call whatever the score.
    pub critical: bool,
    /// What was found, in plain words (fixed wording is not copied into every report).
    pub message: std::borrow::Cow<'static, str>,
    /// The coaching tip (shared with the ruleset).
    pub tip: SharedStr,
    /// The words behind the verdict.
    pub evidence: Vec<Evidence>,
    /// For `message-taking`: the details missing from the message (`name`, `number`, `company`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<String>,
}

/// Counts (and, for timed transcripts, times) about the call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Stats {
    /// Speech turns.
    pub turns: usize,
    /// The agent's turns.
    pub agent_turns: usize,
    /// The customers' turns.
    pub customer_turns: usize,
    /// Words spoken by the agent.
    pub agent_words: usize,
    /// Words spoken by customers.
    pub customer_words: usize,
    /// Timed transcripts: from the first utterance's start to the last one's end, in seconds.
    pub duration_s: Option<f64>,
    /// Timed transcripts: seconds of speech by role.
    pub talk_s: Option<ByRole<f64>>,
    /// Timed transcripts: seconds when nobody spoke.
    pub silence_s: Option<f64>,
    /// Timed transcripts: the longest silence, in seconds.
    pub longest_silence_s: Option<f64>,
    /// Timed transcripts: utterances that started over 0.5 s before the other side's ended, by the role that interrupted.
    pub interruptions: Option<ByRole<usize>>,
    /// Timed transcripts: words per minute of speech, by role (`null` for a role that never spoke).
    pub words_per_minute: Option<ByRole<Option<f64>>>,
}

/// A value for each role.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub struct ByRole<T> {
    /// The agent's.
    pub agent: T,
    /// The customers'.
    pub customer: T,
}

/// The scored result for one transcript.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Always [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// Where the transcript came from (a path), when known.
    pub source: Option<String>,
    /// 100 × passed weight / applicable weight, one decimal.
    pub score: f64,
    /// `score >= pass_mark` and no critical rule failed.
    pub passed: bool,
    /// The pass mark used.
    pub pass_mark: f64,
    /// Who was taken as the agent, and why.
    pub agent: AgentInfo,
    /// Counts about the call.
    pub stats: Stats,
    /// One finding per rule of the ruleset, in ruleset order.
    pub findings: Vec<Finding>,
    /// What the reader repaired or skipped (empty for a clean input).
    #[serde(default)]
    pub warnings: Vec<String>,
}

impl Report {
    /// The report as compact JSON (one line), exactly as the CLI prints it.
    ///
    /// The bytes are `serde_json::to_string(report)`'s (the derived `Serialize` is the
    /// contract; tests compare the two on every example, fixture and generated call), but
    /// written directly: a STAR report is ~4.4 KB of JSON, mostly tips, messages and
    /// quotes, and serde_json checks a string one byte at a time for characters to escape
    /// (3.4 µs a report, a third of what scoring it costs). Here a string with nothing to
    /// escape (nearly all) is found so in one branch-free pass and copied whole.
    pub fn to_json(&self) -> String {
        let mut out = Vec::with_capacity(4096);
        self.write_json(&mut out);
        // Only whole strings and ASCII are written: always valid UTF-8.
        String::from_utf8(out)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    }

    /// Append [`Report::to_json`]'s bytes to `out`.
    fn write_json(&self, out: &mut Vec<u8>) {
        json_field(out, b"{\"schema_version\":", &self.schema_version);
        out.extend_from_slice(b",\"source\":");
        json_opt_str(out, self.source.as_deref());
        json_field(out, b",\"score\":", &self.score);
        json_field(out, b",\"passed\":", &self.passed);
        json_field(out, b",\"pass_mark\":", &self.pass_mark);
        // Small, and few strings: as serde writes them.
        json_field(out, b",\"agent\":", &self.agent);
        json_field(out, b",\"stats\":", &self.stats);
        out.extend_from_slice(b",\"findings\":");
        json_array(out, &self.findings, |out, f| f.write_json(out));
        out.extend_from_slice(b",\"warnings\":");
        json_array(out, &self.warnings, |out, w| json_str(out, w));
        out.push(b'}');
    }

    /// Read a report back from its JSON.
    pub fn from_json(s: &str) -> Result<Report, serde_json::Error> {
        serde_json::from_str(s)
    }

    /// The finding of one rule.
    pub fn finding(&self, rule: &str) -> Option<&Finding> {
        self.findings.iter().find(|f| &*f.rule == rule)
    }

    /// The failing findings.
    pub fn failed(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.status == Status::Fail)
    }
}

impl Finding {
    /// Append this finding as serde writes it (see [`Report::to_json`]).
    fn write_json(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"rule\":");
        json_str(out, &self.rule);
        out.extend_from_slice(b",\"status\":");
        json_str(out, self.status.as_str());
        json_field(out, b",\"weight\":", &self.weight);
        json_field(out, b",\"critical\":", &self.critical);
        out.extend_from_slice(b",\"message\":");
        json_str(out, &self.message);
        out.extend_from_slice(b",\"tip\":");
        json_str(out, &self.tip);
        out.extend_from_slice(b",\"evidence\":");
        json_array(out, &self.evidence, |out, e| e.write_json(out));
        if !self.missing.is_empty() {
            out.extend_from_slice(b",\"missing\":");
            json_array(out, &self.missing, |out, m| json_str(out, m));
        }
        out.push(b'}');
    }
}

impl Evidence {
    /// Append this evidence as serde writes it (see [`Report::to_json`]).
    fn write_json(&self, out: &mut Vec<u8>) {
        json_field(out, b"{\"turn\":", &self.turn);
        json_field(out, b",\"line\":", &self.line);
        out.extend_from_slice(b",\"speaker\":");
        json_opt_str(out, self.speaker.as_deref());
        json_field(out, b",\"start\":", &self.start);
        json_field(out, b",\"end\":", &self.end);
        out.extend_from_slice(b",\"text\":");
        json_str(out, &self.text);
        json_field(out, b",\"start_s\":", &self.start_s);
        json_field(out, b",\"end_s\":", &self.end_s);
        out.push(b'}');
    }
}

/// Append `key` (the punctuation and quoted name before a value) and then the value.
fn json_field<T: Serialize + ?Sized>(out: &mut Vec<u8>, key: &[u8], v: &T) {
    out.extend_from_slice(key);
    json_value(out, v);
}

/// Append `[item, item, ...]`.
fn json_array<T>(out: &mut Vec<u8>, items: &[T], mut item: impl FnMut(&mut Vec<u8>, &T)) {
    out.push(b'[');
    for (k, x) in items.iter().enumerate() {
        if k > 0 {
            out.push(b',');
        }
        item(out, x);
    }
    out.push(b']');
}

/// Append a value as serde_json writes it (numbers, booleans, `null`, small structs).
fn json_value<T: Serialize + ?Sized>(out: &mut Vec<u8>, v: &T) {
    // Writing to a `Vec` cannot fail, and these types always serialise.
    let _ = serde_json::to_writer(out, v);
}

/// Append a JSON string: `s` between quotes when it has nothing to escape (one
/// branch-free pass, which vectorises), else as serde_json escapes it.
fn json_str(out: &mut Vec<u8>, s: &str) {
    let b = s.as_bytes();
    // serde_json escapes `"`, `\` and the control characters below 0x20, nothing else.
    let plain = b
        .iter()
        .fold(true, |ok, &c| ok & (c >= 0x20) & (c != b'"') & (c != b'\\'));
    if plain {
        out.reserve(b.len() + 2);
        out.push(b'"');
        out.extend_from_slice(b);
        out.push(b'"');
    } else {
        json_value(out, s);
    }
}

/// Append a JSON string or `null`.
fn json_opt_str(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => json_str(out, s),
        None => out.extend_from_slice(b"null"),
    }
}

/// Score = 100 × passed / applicable, rounded half-up to one decimal; 100 when nothing applies.
pub fn score(passed: u32, applicable: u32) -> f64 {
    if applicable == 0 {
        return 100.0;
    }
    // Exact integer rounding: tenths = round(1000 * p / a).
    let num = 1000u64 * u64::from(passed);
    let den = u64::from(applicable);
    let tenths = (2 * num + den) / (2 * den);
    tenths as f64 / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A report holds one finding a rule, each with two `SharedStr`s: their size is a
    /// pack's cost (see [`SharedStr`]).
    #[test]
    fn shared_text_is_as_small_as_a_str() {
        assert_eq!(
            std::mem::size_of::<SharedStr>(),
            std::mem::size_of::<&str>()
        );
        assert!(std::mem::size_of::<Finding>() <= 112);
        let counted = SharedStr::from("a report read back".to_string());
        assert!(matches!(counted, SharedStr::Counted(_)));
        assert_eq!(counted, "a report read back");
        assert_eq!(
            SharedStr::from(Arc::<str>::from("x")),
            SharedStr::Static("x")
        );
    }

    /// Shown as a `str` is: a scorecard pads rule ids to line its columns up.
    #[test]
    fn shared_text_is_padded_like_a_str() {
        for s in [
            SharedStr::Static("greeting"),
            SharedStr::from("greeting".to_string()),
        ] {
            assert_eq!(
                format!("[{s:<12}][{s:>10}][{s}]"),
                "[greeting    ][  greeting][greeting]"
            );
        }
    }

    #[test]
    fn scoring_rounds_to_one_decimal() {
        assert_eq!(score(80, 105), 76.2);
        assert_eq!(score(40, 95), 42.1);
        assert_eq!(score(0, 0), 100.0);
        assert_eq!(score(95, 95), 100.0);
        assert_eq!(score(1, 8), 12.5);
    }

    /// `to_json` writes by hand what the derived `Serialize` writes: every field, every
    /// `null`, escapes, an empty and a non-empty `missing`.
    #[test]
    fn to_json_is_byte_for_byte_serde() {
        let ev =
            |turn: Option<usize>, speaker: Option<&str>, text: &str, t: Option<f64>| Evidence {
                turn,
                line: 3,
                speaker: speaker.map(str::to_string),
                start: 2,
                end: 9,
                text: text.to_string(),
                start_s: t,
                end_s: t.map(|x| x + 1.25),
            };
        let finding =
            |rule: &'static str, status, message: &str, evidence, missing: &[&str]| Finding {
                rule: rule.into(),
                status,
                weight: 10,
                critical: status == Status::Fail,
                message: message.to_string().into(),
                tip: "Say \"thank you\" \\ mean it\ttoo\u{1}\u{7f} — ok".into(),
                evidence,
                missing: missing.iter().map(|m| m.to_string()).collect(),
            };
        let mut r = Report {
            schema_version: SCHEMA_VERSION,
            source: Some("calls/\"odd\"\\name.txt".into()),
            score: 76.2,
            passed: false,
            pass_mark: 80.0,
            agent: AgentInfo {
                speakers: vec!["Jo \"JJ\"".into()],
                by: crate::AgentBy::Header,
            },
            stats: Stats {
                turns: 4,
                duration_s: Some(61.5),
                talk_s: Some(ByRole {
                    agent: 30.0,
                    customer: 1e-7,
                }),
                interruptions: Some(ByRole {
                    agent: 1,
                    customer: 0,
                }),
                words_per_minute: Some(ByRole {
                    agent: Some(150.25),
                    customer: None,
                }),
                ..Stats::default()
            },
            findings: vec![
                finding(
                    "greeting",
                    Status::Pass,
                    "ok",
                    vec![ev(Some(0), Some("Jo"), "Good \"morning\"", Some(0.5))],
                    &[],
                ),
                finding(
                    "message-taking",
                    Status::Fail,
                    "line1\nline2",
                    vec![
                        ev(None, None, "[hangs up]", None),
                        ev(Some(2), Some("Zoë"), "日本\u{2028}", None),
                    ],
                    &["name", "number"],
                ),
                finding("thanks", Status::NotApplicable, "", vec![], &[]),
            ],
            warnings: vec!["line 1: \"text\" skipped".into(), String::new()],
        };
        assert_eq!(r.to_json(), serde_json::to_string(&r).unwrap());
        r.source = None;
        r.findings.clear();
        r.warnings.clear();
        r.stats = Stats::default();
        assert_eq!(r.to_json(), serde_json::to_string(&r).unwrap());
    }

    #[test]
    fn status_serialises_as_rubric_words() {
        assert_eq!(
            serde_json::to_string(&Status::NotApplicable).unwrap(),
            "\"n/a\""
        );
    }
}
