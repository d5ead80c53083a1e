//! # callscore
//!
//! Score transcribed phone calls against call-etiquette rules, deterministically and
//! offline, with the exact words behind every verdict and a coaching tip.
//!
//! ```
//! let rs = callscore::Ruleset::builtin().unwrap();
//! let report = rs
//!     .score("Agent: Good morning, Acme, this is Jo.\nCustomer: Hi, thanks.\nAgent: Thanks for calling, bye!", &Default::default())
//!     .unwrap();
//! assert_eq!(report.finding("greeting").unwrap().status, callscore::Status::Pass);
//! println!("{}", report.to_json());
//! ```
//!
//! ## Design
//!
//! The crate does no I/O and never panics on input: text (or bytes) in, a typed
//! [`Report`] or a located [`Error`] out.
//!
//! 1. **Read** ([`parse`]): the input becomes a [`Transcript`] of speech turns and events,
//!    each with its source line (and times where the format has them).
//! 2. **Fold** ([`fold`]): all turns are folded (case, curly quotes, dashes, annotations,
//!    invisible characters) into one buffer, one turn per line, with a byte map back to
//!    the original text.
//! 3. **Roles** ([`roles`]): who the agent is (option, header, names, inference; only
//!    inference needs step 4 first, over the whole call).
//! 4. **Match** ([`matcher`]): every phrase of the ruleset is compiled once per ruleset
//!    (the [`phrase`] language, `data/default.toml`); the literal words its matches must
//!    contain all go into one automaton, so one walk over the folded text finds where any
//!    phrase may match, and a phrase is checked there only when a rule asks for it. In
//!    a customer's turn the walk's hits are kept only for the lists the rules ask about
//!    there (the rest are agent-only: `rules::AGENT_TURNS_ONLY`).
//! 5. **Rules** ([`rules`]): one file per rule, each reading the hits of step 4 and the
//!    turn structure, giving pass / fail / n/a with evidence spans.
//! 6. **Report** ([`report`]): weights, score, pass mark, evidence mapped to character
//!    offsets of the original turn text; a stable JSON contract.

#![deny(missing_docs)]

mod automaton;
mod backtrack;
pub mod custom;
pub mod error;
pub mod fold;
pub mod matcher;
pub mod pack;
pub mod parse;
pub mod phrase;
pub mod report;
pub mod roles;
pub mod rules;
pub mod ruleset;
pub mod transcript;
mod words;

#[cfg(test)]
mod testing;

pub use custom::{CheckResult, ExampleFailure};
pub use error::{Error, Result};
pub use matcher::set_compile_threads;
pub use parse::{decode, Format, Limits};
pub use report::{ByRole, Evidence, Finding, Report, SharedStr, Stats, Status, SCHEMA_VERSION};
pub use ruleset::{RuleInfo, Ruleset, ScoreOptions, DEFAULT_PASS_MARK};
pub use transcript::{AgentBy, AgentInfo, Event, Role, Transcript, Turn};

/// `bytes` (at most 64 of them) as a block of 64 for the SIMD passes over whole blocks
/// (the line ends, the word counts): the bytes themselves when there are 64, else a copy
/// in `pad`, padded with zero bytes (which neither end a line nor make a word).
pub(crate) fn block64<'a>(bytes: &'a [u8], pad: &'a mut [u8; 64]) -> &'a [u8; 64] {
    match <&[u8; 64]>::try_from(bytes) {
        Ok(block) => block,
        Err(_) => {
            let n = bytes.len().min(64);
            *pad = [0; 64];
            pad[..n].copy_from_slice(&bytes[..n]);
            pad
        }
    }
}

/// Score one transcript with the default rubric.
pub fn score(text: &str, opts: &ScoreOptions) -> Result<Report> {
    Ruleset::builtin()?.score(text, opts)
}
