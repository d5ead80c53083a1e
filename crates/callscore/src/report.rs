//! The report: a public, versioned JSON contract (see the README, "Report format").

use serde::{Deserialize, Serialize};

use crate::transcript::AgentInfo;

/// Version of the JSON report schema. Bumped on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

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
    pub rule: std::sync::Arc<str>,
    /// The verdict.
    pub status: Status,
    /// The rule's weight.
    pub weight: u32,
    /// Whether failing this rule fails the call whatever the score.
    pub critical: bool,
    /// What was found, in plain words (fixed wording is not copied into every report).
    pub message: std::borrow::Cow<'static, str>,
    /// The coaching tip (shared with the ruleset).
    pub tip: std::sync::Arc<str>,
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
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
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

    #[test]
    fn scoring_rounds_to_one_decimal() {
        assert_eq!(score(80, 105), 76.2);
        assert_eq!(score(40, 95), 42.1);
        assert_eq!(score(0, 0), 100.0);
        assert_eq!(score(95, 95), 100.0);
        assert_eq!(score(1, 8), 12.5);
    }

    #[test]
    fn status_serialises_as_rubric_words() {
        assert_eq!(
            serde_json::to_string(&Status::NotApplicable).unwrap(),
            "\"n/a\""
        );
    }
}
