//! The built-in rules: one file per rule, one registry table.
//!
//! Each rule's `//!` doc comment is its user documentation ("What it checks / Why it
//! matters / Example / Tip"): `build.rs` copies it into [`doc`], so `callscore explain
//! RULE` and Python's `RuleInfo.doc` show exactly what the source says. Each rule reads
//! its phrase lists (data, in `data/default.toml`) by name, and judges from the hits of
//! the ruleset's single pass over the transcript ([`Ctx`]).

use std::borrow::Cow;

use crate::fold::{self, Folded};
use crate::matcher::{Hit, Hits, ListId, PhraseBook};
use crate::report::Status;
use crate::transcript::{Role, Transcript};

pub mod apology_on_complaint;
pub mod courteous_close;
pub mod dead_air;
pub mod greeting;
pub mod identification;
pub mod message_taking;
pub mod no_blame;
pub mod no_hang_up;
pub mod no_interruption;
pub mod no_overpromising;
pub mod polite_language;
pub mod prompt_greeting;
pub mod talk_balance;
pub mod thanks;

include!(concat!(env!("OUT_DIR"), "/rule_docs.rs"));

/// The full documentation of a built-in rule (its source doc comment).
pub fn doc(id: &str) -> Option<&'static str> {
    RULE_DOCS.iter().find(|(k, _)| *k == id).map(|(_, d)| *d)
}

/// Fixed facts about a built-in rule.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Meta {
    /// The rule id.
    pub id: &'static str,
    /// Default weight.
    pub weight: u32,
    /// Default criticality.
    pub critical: bool,
    /// One-line description.
    pub summary: &'static str,
    /// The coaching tip.
    pub tip: &'static str,
}

/// The registry: every built-in rule of the default rubric, in rubric order (the timing
/// rules last; they are `n/a` on untimed transcripts, so they never change their scores).
pub const BUILTIN: &[Meta] = &[
    greeting::META,
    identification::META,
    thanks::META,
    courteous_close::META,
    no_hang_up::META,
    no_overpromising::META,
    message_taking::META,
    polite_language::META,
    no_blame::META,
    apology_on_complaint::META,
    no_interruption::META,
    prompt_greeting::META,
    dead_air::META,
    talk_balance::META,
];

/// The phrase lists the built-in rules ask about in the agent's turns only. The scan of a
/// customer's turn skips the literals only these lists use, and the scan of the agent's
/// turns those only [`CUSTOMER_TURNS_ONLY`] lists use (on STAR, the scan's bookkeeping
/// of a call's literal hits is a third of its time); a list asked about on the other side
/// anyway (by a pack's own rule, say) is found there by running its phrases over the turn,
/// so these tables change speed, never results. The test
/// `one_sided_lists_are_asked_on_their_side_only` keeps them true of the rules. The two
/// `roles.` lists are read only to infer the agent, from a scan of every turn made before
/// the roles are known (see `Ruleset::read`).
pub(crate) const AGENT_TURNS_ONLY: &[&str] = &[
    "roles.service",
    "roles.org",
    "greeting.phrases",
    "identification.phrases",
    "thanks.phrases",
    "thanks.not",
    "courteous-close.phrases",
    "no-overpromising.third_party",
    "no-overpromising.guarantee",
    "no-overpromising.emphasis",
    "no-overpromising.deadline",
    "no-overpromising.outcome",
    "no-overpromising.hedge",
    "no-overpromising.own",
    "polite-language.phrases",
    "polite-language.except",
    "no-blame.phrases",
    "no-blame.except",
    "apology-on-complaint.apology",
    "dead-air.announce",
    "message-taking.name_ask",
    "message-taking.number_ask",
    "message-taking.company_ask",
];

/// The phrase lists the built-in rules ask about in the customers' turns only (see
/// [`AGENT_TURNS_ONLY`]). Not `message-taking.number_give`: its `{number}` has no literal
/// to scan for, so the list is searched over the whole call at once, and declaring it
/// would run its other phrases over every agent turn.
pub(crate) const CUSTOMER_TURNS_ONLY: &[&str] = &[
    "apology-on-complaint.complaint",
    "message-taking.name_give",
    "message-taking.company_give",
    "no-hang-up.farewell",
    "no-hang-up.dead_line",
];

/// Build the checker of a built-in rule.
pub(crate) fn build(id: &str, book: &PhraseBook) -> Result<Box<dyn Rule>, String> {
    Ok(match id {
        "greeting" => Box::new(greeting::Greeting::new(book)?),
        "identification" => Box::new(identification::Identification::new(book)?),
        "thanks" => Box::new(thanks::Thanks::new(book)?),
        "courteous-close" => Box::new(courteous_close::CourteousClose::new(book)?),
        "no-hang-up" => Box::new(no_hang_up::NoHangUp::new(book)?),
        "no-overpromising" => Box::new(no_overpromising::NoOverpromising::new(book)?),
        "message-taking" => Box::new(message_taking::MessageTaking::new(book)?),
        "polite-language" => Box::new(polite_language::PoliteLanguage::new(book)?),
        "no-blame" => Box::new(no_blame::NoBlame::new(book)?),
        "apology-on-complaint" => Box::new(apology_on_complaint::ApologyOnComplaint::new(book)?),
        "no-interruption" => Box::new(no_interruption::NoInterruption),
        "prompt-greeting" => Box::new(prompt_greeting::PromptGreeting::new(book)?),
        "dead-air" => Box::new(dead_air::DeadAir::new(book)?),
        "talk-balance" => Box::new(talk_balance::TalkBalance),
        other => return Err(format!("no built-in rule `{other}`")),
    })
}

/// Look up a list a rule needs.
pub(crate) fn need(book: &PhraseBook, id: &str) -> Result<ListId, String> {
    book.list_id(id)
        .ok_or_else(|| format!("the rule data has no phrase list `{id}`"))
}

/// A rule: reads the context, gives an outcome.
pub trait Rule: Send + Sync + std::fmt::Debug {
    /// Judge one transcript.
    fn check(&self, ctx: &Ctx<'_>) -> Outcome;
}

/// What evidence points at, before it is mapped to original offsets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Span {
    /// A range of the folded buffer inside one turn.
    Range {
        /// The turn.
        turn: usize,
        /// Start offset in the folded buffer.
        start: usize,
        /// End offset in the folded buffer.
        end: usize,
    },
    /// A whole turn.
    Turn(usize),
    /// A whole event.
    Event(usize),
}

/// A rule's verdict before it becomes a [`crate::Finding`].
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The verdict.
    pub status: Status,
    /// What was found, in plain words (fixed wording is borrowed, not copied).
    pub message: Cow<'static, str>,
    /// The words behind it.
    pub evidence: Vec<Span>,
    /// Missing details (message-taking).
    pub missing: Vec<String>,
}

impl Outcome {
    /// A pass.
    pub fn pass(message: impl Into<Cow<'static, str>>, evidence: Vec<Span>) -> Self {
        Outcome {
            status: Status::Pass,
            message: message.into(),
            evidence,
            missing: Vec::new(),
        }
    }

    /// A fail.
    pub fn fail(message: impl Into<Cow<'static, str>>, evidence: Vec<Span>) -> Self {
        Outcome {
            status: Status::Fail,
            message: message.into(),
            evidence,
            missing: Vec::new(),
        }
    }

    /// Not applicable.
    pub fn na(message: impl Into<Cow<'static, str>>) -> Self {
        Outcome {
            status: Status::NotApplicable,
            message: message.into(),
            evidence: Vec::new(),
            missing: Vec::new(),
        }
    }
}

/// Who an event is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// The agent.
    Agent,
    /// A customer.
    Customer,
    /// Nobody named.
    Unknown,
}

/// What an event is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// Someone hangs up.
    HangUp(Who),
    /// The line drops with nobody named.
    Disconnect,
    /// Anything else (`[laughs]`, `[hold music]`).
    Other,
}

/// Everything a rule may read about one transcript.
#[derive(Debug)]
pub struct Ctx<'a> {
    /// The transcript, roles assigned.
    pub t: &'a Transcript,
    /// Its folded speech.
    pub f: &'a Folded,
    /// Phrase hits of the single pass.
    pub hits: &'a Hits<'a>,
    /// What each event is.
    pub events: Vec<EventKind>,
    /// Organisation names (folded) from the transcript's `# org:` header.
    pub header_orgs: Vec<String>,
}

impl<'a> Ctx<'a> {
    /// Is turn `i` the agent's?
    pub fn is_agent(&self, i: usize) -> bool {
        self.t.turns.get(i).is_some_and(|t| t.role == Role::Agent)
    }

    /// Indices of the agent's turns.
    pub fn agent_turns(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.t.turns.len()).filter(|&i| self.is_agent(i))
    }

    /// Indices of the customers' turns.
    pub fn customer_turns(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.t.turns.len()).filter(|&i| !self.is_agent(i))
    }

    /// The folded text of turn `i`.
    pub fn text(&self, i: usize) -> &str {
        self.f.turn(i)
    }

    /// The first hit of `list` in turn `i`.
    pub fn first_in(&self, list: ListId, i: usize) -> Option<Hit> {
        self.hits.first_in(list, i)
    }

    /// Hits of `list` in turn `i` that do not overlap a hit of `except`.
    pub fn hits_except(&self, list: ListId, except: ListId, i: usize) -> Vec<Hit> {
        let hits = self.hits.in_turn(list, i);
        if hits.is_empty() {
            return Vec::new();
        }
        let not = self.hits.in_turn(except, i);
        hits.iter()
            .filter(|h| !not.iter().any(|x| x.start < h.end && x.end > h.start))
            .copied()
            .collect()
    }

    /// Every hit of `list` in the agent's turns that is not inside an `except` phrase.
    pub fn agent_hits_except(&self, list: ListId, except: ListId) -> Vec<Span> {
        self.agent_turns()
            .flat_map(|i| self.hits_except(list, except, i))
            .map(|h| self.span(&h))
            .collect()
    }

    /// The original words of spans, quoted and comma-separated, for messages.
    pub fn quotes(&self, spans: &[Span]) -> String {
        spans
            .iter()
            .map(|&s| format!("\"{}\"", self.quote(s)))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Evidence for a hit.
    pub fn span(&self, h: &Hit) -> Span {
        Span::Range {
            turn: h.turn,
            start: h.start,
            end: h.end,
        }
    }

    /// The original words of a span, for messages.
    pub fn quote(&self, s: Span) -> String {
        match s {
            Span::Range { turn, start, end } => {
                let text = &self.t.turns[turn].text;
                let (a, b) = self.f.to_original(turn, text, start, end);
                text.get(a..b).unwrap_or_default().to_string()
            }
            Span::Turn(i) => self.t.turns[i].text.clone(),
            Span::Event(i) => self.t.events[i].text.clone(),
        }
    }

    /// Segment `k` of turn `i` (one utterance of a timed transcript; `k` indexes
    /// [`crate::Turn::segments`]) as a span of the folded buffer, without the spaces that
    /// join it to its neighbours; `None` when there is no such segment.
    pub fn segment(&self, i: usize, k: usize) -> Option<Span> {
        let turn = self.t.turns.get(i)?;
        let from = turn.segments.get(k)?.offset;
        let to = turn
            .segments
            .get(k + 1)
            .map_or(turn.text.len(), |s| s.offset);
        let &(s, _) = self.f.spans.get(i)?;
        Some(self.unspaced(
            i,
            s + self.f.folded_from(i, from),
            s + self.f.folded_from(i, to),
        ))
    }

    /// The folded range `[start, end)` of turn `i` as a span, without spaces at either end.
    pub fn unspaced(&self, i: usize, mut start: usize, mut end: usize) -> Span {
        let buf = self.f.buf.as_bytes();
        while start < end && buf.get(start) == Some(&b' ') {
            start += 1;
        }
        while end > start && buf.get(end - 1) == Some(&b' ') {
            end -= 1;
        }
        Span::Range {
            turn: i,
            start,
            end,
        }
    }

    /// True when turn `i` is cut off: its speech ends with `-`, `--`, `—` or `–`.
    pub fn cut_off(&self, i: usize) -> bool {
        let t = self.text(i).trim_end_matches(['"', '\'', ' ']);
        t.ends_with('-')
    }

    /// The speech turn index just before event `e`, if any.
    pub fn turn_before_event(&self, e: usize) -> Option<usize> {
        self.t.events[e].after_turns.checked_sub(1)
    }

    /// True when some agent turn comes after event `e`.
    pub fn agent_speaks_after_event(&self, e: usize) -> bool {
        let last_agent = self.t.turns.iter().rposition(|t| t.role == Role::Agent);
        last_agent.is_some_and(|l| l >= self.t.events[e].after_turns)
    }

    /// Sentence spans (folded buffer offsets) of turn `i`.
    pub fn sentences(&self, i: usize) -> Vec<(usize, usize)> {
        let (base, _) = self.f.spans[i];
        fold::sentences(self.text(i))
            .into_iter()
            .map(|(s, e)| (base + s, base + e))
            .collect()
    }
}

/// A helper for rule unit tests: score a transcript with the default ruleset and return
/// the outcome of one rule.
#[cfg(test)]
pub(crate) fn check(rule: &str, text: &str) -> crate::Finding {
    let rs = crate::Ruleset::builtin().unwrap();
    let report = rs
        .score(text, &crate::ScoreOptions::default())
        .unwrap_or_else(|e| panic!("{e}"));
    report
        .finding(rule)
        .cloned()
        .unwrap_or_else(|| panic!("no {rule}"))
}

/// Assert the status of a rule on each fixture: `(expected, transcript)`.
#[cfg(test)]
pub(crate) fn assert_fixtures(rule: &str, cases: &[(&str, &str)]) {
    for (want, text) in cases {
        let f = check(rule, text);
        assert_eq!(
            f.status.as_str(),
            *want,
            "{rule} on:\n{text}\nmessage: {}\nevidence: {:?}",
            f.message,
            f.evidence
        );
        if f.status == Status::Fail {
            assert!(
                !f.evidence.is_empty(),
                "{rule}: a fail without evidence on:\n{text}"
            );
        }
    }
}
