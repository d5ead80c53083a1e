//! The transcript model every reader produces and every rule reads.

use serde::{Deserialize, Serialize};

/// Who a speaker is in the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The person being trained and scored.
    Agent,
    /// Everyone else who speaks (caller or callee).
    #[default]
    Customer,
}

impl Role {
    /// `"agent"` or `"customer"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Agent => "agent",
            Role::Customer => "customer",
        }
    }
}

/// One piece of a turn's text that came from one source line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Segment {
    /// Byte offset in the turn's `text` where this piece starts.
    pub offset: usize,
    /// 1-based source line (or cue / item number for structured formats).
    pub line: usize,
    /// Start time of this utterance in seconds, where the source gives one.
    pub start: Option<f64>,
    /// End time of this utterance in seconds, where the source gives one.
    pub end: Option<f64>,
}

/// One speaker's uninterrupted stretch of speech (consecutive lines of one speaker).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Turn {
    /// 0-based position among the speech turns.
    pub index: usize,
    /// The speaker's name as written.
    pub speaker: String,
    /// The speaker's role, set by role assignment.
    pub role: Role,
    /// The turn's original text (source lines joined with a single space).
    pub text: String,
    /// 1-based source line where the turn starts.
    pub line: usize,
    /// Start time in seconds, where the source gives one.
    pub start: Option<f64>,
    /// End time in seconds, where the source gives one.
    pub end: Option<f64>,
    /// Where each source line's text starts in `text` (for line numbers of evidence).
    /// The text reader leaves it empty for a turn of one line (then `line` and `start`
    /// say it all).
    #[serde(skip)]
    pub segments: Vec<Segment>,
}

impl Turn {
    /// The 1-based source line that holds byte `offset` of the turn's text.
    pub fn line_at(&self, offset: usize) -> usize {
        self.segments
            .iter()
            .rev()
            .find(|s| s.offset <= offset)
            .map_or(self.line, |s| s.line)
    }
}

/// A non-speech line: `[Agent hangs up]`, `(line goes dead)`, `*click*`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// 0-based position among the events.
    pub index: usize,
    /// The event's text without its brackets.
    pub text: String,
    /// 1-based source line.
    pub line: usize,
    /// Number of speech turns before this event (so `0` means before any speech).
    pub after_turns: usize,
    /// Time in seconds, where the source gives one.
    pub time: Option<f64>,
}

/// How the agent was identified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AgentBy {
    /// The transcript's `# agent:` header.
    Header,
    /// An explicit list from the caller (`--agent`, `agent=`).
    Option,
    /// A speaker name such as "Agent", "Receptionist" or "Advisor".
    Name,
    /// Inferred from what was said (who identifies with an organisation; else who speaks first).
    Inference,
    /// Roles given by the source file itself (e.g. `ParticipantRole` in a JSON export).
    File,
}

/// Who was taken as the agent, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgentInfo {
    /// The agent's speaker names, in order of first appearance.
    pub speakers: Vec<String>,
    /// How they were identified.
    pub by: AgentBy,
}

/// A parsed call: speech turns, events, header values, and who the agent is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Transcript {
    /// Speech turns in order.
    pub turns: Vec<Turn>,
    /// Non-speech events in order.
    pub events: Vec<Event>,
    /// Agent names from `# agent:` headers, with the header's line.
    #[serde(skip)]
    pub header_agents: Option<(Vec<String>, usize)>,
    /// Customer names from `# customer:` headers.
    pub header_customers: Vec<String>,
    /// Organisation names from `# org:` headers.
    pub orgs: Vec<String>,
    /// The `# title:` header, if any.
    pub title: Option<String>,
    /// The agent, once roles are assigned.
    pub agent: Option<AgentInfo>,
    /// Things the reader repaired or skipped, in plain words.
    pub warnings: Vec<String>,
}

impl Transcript {
    /// An empty transcript (readers fill it in).
    pub fn empty() -> Transcript {
        Transcript {
            turns: Vec::new(),
            events: Vec::new(),
            header_agents: None,
            header_customers: Vec::new(),
            orgs: Vec::new(),
            title: None,
            agent: None,
            warnings: Vec::new(),
        }
    }

    /// Every utterance with both times, in order: `(turn, start, end)`.
    pub fn utterances(&self) -> Vec<(usize, f64, f64)> {
        let mut out = Vec::new();
        for t in &self.turns {
            for s in &t.segments {
                if let (Some(a), Some(b)) = (s.start, s.end) {
                    out.push((t.index, a, b));
                }
            }
        }
        out
    }

    /// True when every turn has both a start and an end time (the timing rules apply).
    pub fn is_timed(&self) -> bool {
        !self.turns.is_empty()
            && self
                .turns
                .iter()
                .all(|t| t.start.is_some() && t.end.is_some())
    }

    /// The distinct speaker names in order of first appearance, borrowed.
    pub(crate) fn speaker_names(&self) -> Vec<&str> {
        // A call has a handful of speakers: a linear scan beats hashing every turn.
        let mut out: Vec<&str> = Vec::new();
        for t in &self.turns {
            if !out.contains(&t.speaker.as_str()) {
                out.push(&t.speaker);
            }
        }
        out
    }

    /// The distinct speaker names in order of first appearance.
    pub fn speakers(&self) -> Vec<String> {
        self.speaker_names()
            .into_iter()
            .map(str::to_string)
            .collect()
    }
}
