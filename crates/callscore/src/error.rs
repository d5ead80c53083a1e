//! Errors of the core crate.
//!
//! Every error that concerns a place in the input carries that place (a 1-based line
//! and, where it helps, a column or byte offset). [`Error::kind`] gives a short stable
//! name for machine-readable reports (`{"error": {"kind": ..., "message": ..., "line": N}}`).

use thiserror::Error;

/// Everything that can go wrong when reading a transcript or a rule pack.
///
/// The enum is `#[non_exhaustive]`: new readers and limits add variants.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum Error {
    /// The transcript has no speech at all: no line of the form `Speaker: words`.
    #[error("no speech found{}", hint_suffix(.hint))]
    NoSpeech {
        /// Extra context, e.g. "the file is empty" or "only headers and events".
        hint: Option<String>,
    },

    /// The agent named by a header or by the caller never speaks in the transcript.
    #[error("agent {names:?} {by} does not speak in this transcript (speakers: {speakers:?}){}", line_suffix(*.line))]
    AgentNotFound {
        /// The names that were asked for.
        names: Vec<String>,
        /// Where the names came from: "named in the `# agent:` header" or "given as an option".
        by: String,
        /// The speakers that do appear.
        speakers: Vec<String>,
        /// Line of the `# agent:` header, when the names came from it.
        line: Option<usize>,
    },

    /// The input bytes are not valid UTF-8.
    #[error("invalid UTF-8 at byte {offset} (line {line}); re-save the file as UTF-8 or use the lossy option")]
    InvalidUtf8 {
        /// Byte offset of the first invalid byte.
        offset: usize,
        /// 1-based line of that byte.
        line: usize,
    },

    /// The input looks like a binary file (it contains NUL bytes).
    #[error(
        "binary data (a NUL byte) at byte {offset} (line {line}): this is not a text transcript"
    )]
    Binary {
        /// Byte offset of the first NUL byte.
        offset: usize,
        /// 1-based line of that byte.
        line: usize,
    },

    /// The input is larger than the configured limit.
    #[error("input of {size} bytes is larger than the limit of {limit} bytes")]
    TooLarge {
        /// Size of the input in bytes.
        size: usize,
        /// The limit in bytes.
        limit: usize,
    },

    /// A line is longer than the configured limit.
    #[error("line {line} is {length} bytes long, over the limit of {limit} bytes")]
    LineTooLong {
        /// 1-based line number.
        line: usize,
        /// Its length in bytes.
        length: usize,
        /// The limit in bytes.
        limit: usize,
    },

    /// A transcript in a structured format (WebVTT, SRT, JSON) is malformed.
    #[error("{format}: {message}{}", line_suffix(*.line))]
    Format {
        /// The format being read ("WebVTT", "SRT", "JSON", "text").
        format: &'static str,
        /// What is wrong, in plain words.
        message: String,
        /// 1-based line of the problem, where known.
        line: Option<usize>,
    },

    /// A rule pack (or the built-in rule data) is invalid.
    #[error("{}{}:{}: {message}", file_prefix(.file), .line, .column)]
    Pack {
        /// The pack's file name, when it was read from a file.
        file: Option<String>,
        /// 1-based line of the problem.
        line: usize,
        /// 1-based column of the problem.
        column: usize,
        /// What is wrong, in plain words.
        message: String,
    },

    /// A rule id that does not exist was asked for.
    #[error("unknown rule `{id}`; known rules: {known}")]
    UnknownRule {
        /// The id asked for.
        id: String,
        /// The known ids, comma-separated.
        known: String,
    },
}

fn hint_suffix(h: &Option<String>) -> String {
    h.as_ref().map(|h| format!(" ({h})")).unwrap_or_default()
}

fn line_suffix(l: Option<usize>) -> String {
    l.map(|l| format!(" (line {l})")).unwrap_or_default()
}

fn file_prefix(f: &Option<String>) -> String {
    match f {
        Some(f) => format!("{f}:"),
        None => "line ".to_string(),
    }
}

impl Error {
    /// A short, stable name for the kind of error, used in JSON error entries.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::NoSpeech { .. } => "no-speech",
            Error::AgentNotFound { .. } => "agent-not-found",
            Error::InvalidUtf8 { .. } => "invalid-utf8",
            Error::Binary { .. } => "binary",
            Error::TooLarge { .. } => "too-large",
            Error::LineTooLong { .. } => "line-too-long",
            Error::Format { .. } => "format",
            Error::Pack { .. } => "rule-pack",
            Error::UnknownRule { .. } => "unknown-rule",
        }
    }

    /// The 1-based line the error points at, where there is one.
    pub fn line(&self) -> Option<usize> {
        match self {
            Error::AgentNotFound { line, .. } | Error::Format { line, .. } => *line,
            Error::InvalidUtf8 { line, .. }
            | Error::Binary { line, .. }
            | Error::LineTooLong { line, .. }
            | Error::Pack { line, .. } => Some(*line),
            _ => None,
        }
    }
}

/// Convenience alias used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
