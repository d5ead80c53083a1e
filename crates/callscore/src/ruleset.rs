//! A ruleset: rules with their weights, the phrase book they read, and the scoring
//! pipeline (`&str` in, [`Report`] out).
//!
//! Compiling a ruleset (all phrases into one [`PhraseBook`]) is the expensive part and is
//! done once; [`Ruleset::builtin`] compiles the default rubric on first use and shares it.
//! Scoring is then: decode → read → fold → one phrase pass → roles → rules → report, all
//! linear in the transcript's length.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::fold::{fold_str, Folded};
use crate::matcher::{BookBuilder, PhraseBook, PhraseSrc, Scan};
use crate::parse::{self, Format, Limits, Spare};
use crate::phrase::PhraseEnv;
use crate::report::{
    self, ByRole, Evidence, Finding, Report, SharedStr, Stats, Status, SCHEMA_VERSION,
};
use crate::roles::{self, RoleLists};
use crate::rules::{self, Ctx, EventKind, Rule, Span, Who};
use crate::transcript::{Role, Transcript};

/// The default pass mark.
pub const DEFAULT_PASS_MARK: f64 = 80.0;

/// The built-in phrase data of the default rubric.
pub const DEFAULT_DATA: &str = include_str!("../data/default.toml");
const DEFAULT_DATA_NAME: &str = "crates/callscore/data/default.toml";

/// Public facts about one rule of a ruleset.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleInfo {
    /// The rule id.
    pub id: String,
    /// Its weight in the score.
    pub weight: u32,
    /// Whether failing it fails the call whatever the score.
    pub critical: bool,
    /// One-line description.
    pub summary: String,
    /// The coaching tip.
    pub tip: String,
    /// Full documentation.
    pub doc: String,
    /// The rule's phrase lists (list id, phrases), for `rules --show-phrases`.
    pub phrases: Vec<(String, Vec<String>)>,
    /// True for a rule written in a rule pack.
    pub custom: bool,
}

#[derive(Debug)]
struct Entry {
    info: RuleInfo,
    /// The id and tip as every report carries them: shared, not copied per report
    /// (`'static` for a built-in rule: see [`SharedStr`]).
    id: SharedStr,
    tip: SharedStr,
    rule: Box<dyn Rule>,
}

/// Options for scoring one transcript.
#[derive(Debug, Clone, Default)]
pub struct ScoreOptions {
    /// Speaker names to take as the agent (overrides the header and inference).
    pub agents: Vec<String>,
    /// Where the transcript came from, copied into the report.
    pub source: Option<String>,
    /// Pass mark to use instead of the ruleset's.
    pub pass_mark: Option<f64>,
    /// The input format (auto-detected by default).
    pub format: Format,
    /// Replace invalid UTF-8 instead of failing (bytes input only).
    pub lossy: bool,
    /// Input limits.
    pub limits: Limits,
}

/// A compiled set of rules.
#[derive(Debug)]
pub struct Ruleset {
    name: String,
    pass_mark: f64,
    rules: Vec<Entry>,
    pub(crate) book: PhraseBook,
    roles: RoleLists,
    hang_up: crate::matcher::ListId,
    disconnect: crate::matcher::ListId,
    source: Option<(String, Option<String>)>,
    /// Rule examples: (rule, must pass, must fail).
    examples: Vec<(String, Vec<String>, Vec<String>)>,
}

/// Phrase lists by id (`greeting.phrases`), with where each phrase was written.
pub(crate) type Lists = BTreeMap<String, Vec<PhraseSrc>>;

/// A rule to build into a ruleset.
#[derive(Debug)]
pub(crate) enum RuleSpec {
    /// A built-in rule, possibly re-weighted.
    Builtin {
        meta: &'static rules::Meta,
        weight: u32,
        critical: bool,
    },
    /// A rule written in a pack.
    Custom(Box<crate::custom::CustomSpec>),
}

/// Every built-in rule at its default weight.
fn builtin_specs() -> Vec<RuleSpec> {
    rules::BUILTIN
        .iter()
        .map(|m| RuleSpec::Builtin {
            meta: m,
            weight: m.weight,
            critical: m.critical,
        })
        .collect()
}

/// Read phrase data in the format of `data/default.toml`.
pub(crate) fn load_data(src: &str, file: Option<&str>) -> Result<Lists> {
    let data: Data = toml::from_str(src).map_err(|e| {
        let (line, column) = line_col(src, e.span().map_or(0, |s| s.start));
        Error::Pack {
            file: file.map(str::to_string),
            line,
            column,
            message: e.message().to_string(),
        }
    })?;
    let mut out = Lists::new();
    for (table, lists) in data {
        for (key, phrases) in lists {
            let srcs = phrases.iter().map(|p| spanned_src(src, file, p)).collect();
            out.insert(format!("{table}.{key}"), srcs);
        }
    }
    Ok(out)
}

/// A phrase with its place in its source.
pub(crate) fn spanned_src(src: &str, file: Option<&str>, p: &toml::Spanned<String>) -> PhraseSrc {
    let (line, column) = line_col(src, p.span().start);
    PhraseSrc {
        text: p.get_ref().clone(),
        line,
        column,
        file: file.map(str::to_string),
    }
}

type Data = BTreeMap<String, BTreeMap<String, Vec<toml::Spanned<String>>>>;

/// 1-based line and column (in characters) of byte offset `at` in `src`.
pub(crate) fn line_col(src: &str, at: usize) -> (usize, usize) {
    let mut at = at.min(src.len());
    while !src.is_char_boundary(at) {
        at -= 1;
    }
    let before = &src.as_bytes()[..at];
    // Counted with memchr: the start-up compiles every phrase with its place.
    let line = memchr::memchr_iter(b'\n', before).count() + 1;
    let line_start = memchr::memrchr(b'\n', before).map_or(0, |i| i + 1);
    let col = src[line_start..at].chars().count() + 1;
    (line, col)
}

impl Ruleset {
    /// The default rubric, compiled once and shared.
    pub fn builtin() -> Result<&'static Ruleset> {
        static DEFAULT: OnceLock<Result<Ruleset>> = OnceLock::new();
        DEFAULT
            .get_or_init(|| {
                // The built-in data is validated by the test suite (`default_ruleset` compiles
                // it eagerly): here its regexes compile on first use, for a fast start-up.
                let lists = load_data(DEFAULT_DATA, Some(DEFAULT_DATA_NAME))?;
                let specs = builtin_specs();
                Ruleset::assemble(
                    "default",
                    DEFAULT_PASS_MARK,
                    lists,
                    &PhraseEnv::default(),
                    specs,
                    None,
                    true,
                )
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Compile the default rubric from phrase data in the format of `data/default.toml`.
    pub fn from_data(src: &str, file: Option<&str>, env: &PhraseEnv) -> Result<Ruleset> {
        let lists = load_data(src, file)?;
        let specs = builtin_specs();
        Ruleset::assemble("default", DEFAULT_PASS_MARK, lists, env, specs, None, false)
    }

    /// Compile a ruleset: all phrase lists into one book, then each rule.
    pub(crate) fn assemble(
        name: &str,
        pass_mark: f64,
        lists: Lists,
        env: &PhraseEnv,
        specs: Vec<RuleSpec>,
        source: Option<(String, Option<String>)>,
        lazy: bool,
    ) -> Result<Ruleset> {
        let src_file = source.as_ref().and_then(|s| s.1.clone());
        let plain_err = |message: String| Error::Pack {
            file: src_file.clone(),
            line: 1,
            column: 1,
            message,
        };
        let mut builder = BookBuilder::new(env.clone());
        builder.lazy = lazy;
        for (id, phrases) in &lists {
            // Lists matched against speaker names or event text stay out of the speech pass.
            let events = id.starts_with("events.") || id.ends_with("_names");
            builder.add(id, phrases, events).map_err(|e| Error::Pack {
                file: e.phrase.file.clone(),
                line: e.phrase.line,
                column: e.phrase.column,
                message: format!("in `{}`, phrase {:?}: {}", e.list, e.phrase.text, e.message),
            })?;
        }
        let book = builder.build().map_err(plain_err)?;
        let need = |id: &str| rules::need(&book, id).map_err(plain_err);
        let roles = RoleLists {
            agent_names: need("roles.agent_names")?,
            customer_names: need("roles.customer_names")?,
            service: need("roles.service")?,
            org: need("roles.org")?,
        };
        let (hang_up, disconnect) = (need("events.hang_up")?, need("events.disconnect")?);
        let mut entries = Vec::new();
        let mut examples = Vec::new();
        for spec in specs {
            // The id and tip as reports carry them: a built-in rule's are `'static`, a
            // pack's interned (see `SharedStr`).
            let (info, rule, id, tip): (RuleInfo, Box<dyn Rule>, SharedStr, SharedStr) = match spec
            {
                RuleSpec::Builtin {
                    meta: m,
                    weight,
                    critical,
                } => {
                    let rule = rules::build(m.id, &book).map_err(plain_err)?;
                    let info = RuleInfo {
                        id: m.id.to_string(),
                        weight,
                        critical,
                        summary: m.summary.to_string(),
                        tip: m.tip.to_string(),
                        doc: rules::doc(m.id).unwrap_or(m.summary).to_string(),
                        phrases: Vec::new(),
                        custom: false,
                    };
                    (info, rule, m.id.into(), m.tip.into())
                }
                RuleSpec::Custom(c) => {
                    let info = c.info();
                    if !c.examples_pass.is_empty() || !c.examples_fail.is_empty() {
                        examples.push((
                            c.id.clone(),
                            c.examples_pass.clone(),
                            c.examples_fail.clone(),
                        ));
                    }
                    let (id, tip) = (
                        SharedStr::Static(crate::report::intern(&info.id)),
                        SharedStr::Static(crate::report::intern(&info.tip)),
                    );
                    (
                        info,
                        Box::new(crate::custom::Custom::new(*c, &book).map_err(plain_err)?),
                        id,
                        tip,
                    )
                }
            };
            let prefix = format!("{}.", info.id);
            let phrases = book
                .lists()
                .iter()
                .filter(|l| l.id.starts_with(&prefix))
                .map(|l| (l.id.clone(), l.phrases.clone()))
                .collect();
            entries.push(Entry {
                id,
                tip,
                info: RuleInfo { phrases, ..info },
                rule,
            });
        }
        // The built-in lists the built-in rules ask about on one side of the call only (a
        // list in a pack's own rule's namespace is the pack's: left out).
        let mut book = book;
        let declared = |ids: &[&str]| -> Vec<_> {
            ids.iter()
                .filter(|id| {
                    !entries
                        .iter()
                        .any(|e| e.info.custom && id.starts_with(&format!("{}.", e.info.id)))
                })
                .filter_map(|id| book.list_id(id))
                .collect()
        };
        let (agent, customer) = (
            declared(rules::AGENT_TURNS_ONLY),
            declared(rules::CUSTOMER_TURNS_ONLY),
        );
        book.set_sides(&agent, &customer);
        Ok(Ruleset {
            name: name.to_string(),
            pass_mark,
            rules: entries,
            book,
            roles,
            hang_up,
            disconnect,
            source,
            examples,
        })
    }

    /// The rule examples: (rule id, transcripts that must pass, transcripts that must fail).
    pub fn examples(&self) -> impl Iterator<Item = (&str, &Vec<String>, &Vec<String>)> {
        self.examples.iter().map(|(r, p, f)| (r.as_str(), p, f))
    }

    /// The TOML source and file name this ruleset was loaded from (`None` for the default).
    pub fn source(&self) -> Option<(&str, Option<&str>)> {
        self.source
            .as_ref()
            .map(|(s, f)| (s.as_str(), f.as_deref()))
    }

    /// The ruleset's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The ruleset's pass mark.
    pub fn pass_mark(&self) -> f64 {
        self.pass_mark
    }

    /// The rules, in report order.
    pub fn rules(&self) -> impl Iterator<Item = &RuleInfo> {
        self.rules.iter().map(|e| &e.info)
    }

    /// One rule's facts, or [`Error::UnknownRule`].
    pub fn rule(&self, id: &str) -> Result<&RuleInfo> {
        self.rules()
            .find(|r| r.id == id)
            .ok_or_else(|| Error::UnknownRule {
                id: id.to_string(),
                known: self
                    .rules()
                    .map(|r| r.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }

    /// The phrase lists of the roles and events (for `rules --show-phrases`).
    pub fn shared_phrases(&self) -> Vec<(String, Vec<String>)> {
        self.book
            .lists()
            .iter()
            .filter(|l| l.id.starts_with("roles.") || l.id.starts_with("events."))
            .map(|l| (l.id.clone(), l.phrases.clone()))
            .collect()
    }

    /// Every phrase hit in a transcript as `(list id, turn, folded words)`: what the
    /// single phrase pass saw, for debugging rules and packs.
    pub fn phrase_hits(
        &self,
        text: &str,
        opts: &ScoreOptions,
    ) -> Result<Vec<(String, usize, String)>> {
        let t = parse::read(text, opts.format, &opts.limits)?;
        let folded = Folded::new(&t.turns);
        let scan = self.book.scan(&folded);
        let hits = self.book.find(&scan, &folded, &t.turns);
        let mut out = Vec::new();
        for l in self.book.lists() {
            if let Some(id) = self.book.list_id(&l.id) {
                for h in hits.of(id) {
                    out.push((l.id.clone(), h.turn, folded.buf[h.start..h.end].to_string()));
                }
            }
        }
        Ok(out)
    }

    /// Read a transcript and assign roles, without scoring it.
    pub fn parse(&self, text: &str, opts: &ScoreOptions) -> Result<Transcript> {
        self.read(text, opts, &mut Spare::default())
            .map(|(t, _, _)| t)
    }

    /// Read a transcript, fold it and assign roles (with the scan of every turn that
    /// inferring them made, if they were inferred): what scoring and [`Ruleset::parse`]
    /// share (so both see the same roles).
    fn read(
        &self,
        text: &str,
        opts: &ScoreOptions,
        spare: &mut Spare,
    ) -> Result<(Transcript, Folded, Option<Scan>)> {
        let mut t = parse::read_with(text, opts.format, &opts.limits, spare)?;
        let folded = Folded::new(&t.turns);
        // Roles first: only inferring them scans (the whole call); scoring scans later,
        // with the roles known (see `Ruleset::run`).
        let mut scan = None;
        roles::assign(
            &mut t,
            &opts.agents,
            &self.book,
            &self.roles,
            &folded,
            &mut scan,
        )?;
        Ok((t, folded, scan))
    }

    /// Score raw bytes (decoding them first; see [`parse::decode`]).
    pub fn score_bytes(&self, bytes: &[u8], opts: &ScoreOptions) -> Result<Report> {
        if bytes.len() > opts.limits.max_bytes {
            return Err(Error::TooLarge {
                size: bytes.len(),
                limit: opts.limits.max_bytes,
            });
        }
        let (text, warnings) = parse::decode(bytes, opts.lossy)?;
        let mut report = self.score(&text, opts)?;
        report.warnings.splice(0..0, warnings);
        Ok(report)
    }

    /// Score one transcript.
    pub fn score(&self, text: &str, opts: &ScoreOptions) -> Result<Report> {
        // The transcript is dropped after scoring: its turns stay with this thread, and
        // the next transcript's turns reuse their memory (see `parse::Spare`).
        thread_local! {
            static SPARE: std::cell::RefCell<Spare> = Default::default();
        }
        SPARE.with(|cell| match cell.try_borrow_mut() {
            Ok(mut spare) => self.run(text, opts, false, &mut spare).map(|(r, _)| r),
            // (Only if scoring were ever re-entered on this thread.)
            Err(_) => self
                .run(text, opts, false, &mut Spare::default())
                .map(|(r, _)| r),
        })
    }

    /// Score one transcript and also return the parsed transcript (for display).
    pub fn score_with_transcript(
        &self,
        text: &str,
        opts: &ScoreOptions,
    ) -> Result<(Report, Transcript)> {
        self.run(text, opts, true, &mut Spare::default())
    }

    /// Score one transcript; `keep`: leave the transcript whole (else the report takes
    /// its agent and warnings instead of copies, `spare` its turns, and the rest is for
    /// dropping).
    fn run(
        &self,
        text: &str,
        opts: &ScoreOptions,
        keep: bool,
        spare: &mut Spare,
    ) -> Result<(Report, Transcript)> {
        let (mut t, folded, scan) = self.read(text, opts, spare)?;
        // With the roles known, a scan that looks in each turn only for the phrases the
        // rules ask about on that side of the call (see `rules::AGENT_TURNS_ONLY`).
        let scan = scan.unwrap_or_else(|| {
            let customer = t.turns.iter().map(|t| t.role == Role::Customer).collect();
            self.book.scan_roles(&folded, customer)
        });
        let hits = self.book.find(&scan, &folded, &t.turns);
        let names = if t.events.is_empty() {
            Vec::new()
        } else {
            speaker_roles(&t)
        };
        let events = t
            .events
            .iter()
            .map(|e| self.event_kind(&names, &e.text))
            .collect();
        let ctx = Ctx {
            t: &t,
            f: &folded,
            hits: &hits,
            events,
            header_orgs: t
                .orgs
                .iter()
                .map(|o| fold_str(o))
                .filter(|o| !o.is_empty())
                .collect(),
        };
        let (mut passed_w, mut applicable_w, mut critical_fail) = (0u32, 0u32, false);
        // (Collected, not pushed: each finding is written once, where it goes.)
        let findings: Vec<Finding> = self
            .rules
            .iter()
            .map(|e| {
                let o = e.rule.check(&ctx);
                match o.status {
                    Status::Pass => {
                        passed_w += e.info.weight;
                        applicable_w += e.info.weight;
                    }
                    Status::Fail => {
                        applicable_w += e.info.weight;
                        critical_fail |= e.info.critical;
                    }
                    Status::NotApplicable => {}
                }
                Finding {
                    rule: e.id.clone(),
                    status: o.status,
                    weight: e.info.weight,
                    critical: e.info.critical,
                    message: o.message,
                    tip: e.tip.clone(),
                    evidence: o.evidence.iter().map(|&s| evidence(&ctx, s)).collect(),
                    missing: o.missing,
                }
            })
            .collect();
        let pass_mark = opts.pass_mark.unwrap_or(self.pass_mark);
        let score = report::score(passed_w, applicable_w);
        let stats = stats(&t, &folded);
        drop(ctx);
        drop(hits);
        let (agent, warnings) = if keep {
            (t.agent.clone(), t.warnings.clone())
        } else {
            spare.keep(std::mem::take(&mut t.turns));
            (t.agent.take(), std::mem::take(&mut t.warnings))
        };
        let report = Report {
            schema_version: SCHEMA_VERSION,
            source: opts.source.clone(),
            score,
            passed: score >= pass_mark && !critical_fail,
            pass_mark,
            agent: agent.unwrap_or(crate::AgentInfo {
                speakers: Vec::new(),
                by: crate::AgentBy::Inference,
            }),
            stats,
            findings,
            warnings,
        };
        Ok((report, t))
    }

    /// Classify an event: who hangs up, or an unattributed disconnect.
    fn event_kind(&self, names: &[(String, Who)], text: &str) -> EventKind {
        let f = fold_str(text);
        let Some((verb_at, _)) = self.book.find_in(self.hang_up, &f) else {
            return if self.book.is_match(self.disconnect, &f) {
                EventKind::Disconnect
            } else {
                EventKind::Other
            };
        };
        // The earliest speaker name in the event says who.
        let mut best: Option<(usize, Who)> = None;
        for (name, who) in names {
            if let Some(p) = find_word(&f, name) {
                let who = *who;
                if best.is_none_or(|(b, _)| p < b) {
                    best = Some((p, who));
                }
            }
        }
        let who = match best {
            Some((_, w)) => w,
            None => {
                let subject = &f[..verb_at];
                if self.book.is_match(self.roles.agent_names, subject) {
                    Who::Agent
                } else if self.book.is_match(self.roles.customer_names, subject) {
                    Who::Customer
                } else if self.book.is_match(self.roles.agent_names, &f) {
                    Who::Agent
                } else if self.book.is_match(self.roles.customer_names, &f) {
                    Who::Customer
                } else {
                    Who::Unknown
                }
            }
        };
        match who {
            Who::Unknown => EventKind::Disconnect,
            w => EventKind::HangUp(w),
        }
    }
}

/// Each distinct speaker's folded name and role.
fn speaker_roles(t: &Transcript) -> Vec<(String, Who)> {
    let mut seen = std::collections::HashSet::new();
    t.turns
        .iter()
        .filter(|turn| seen.insert(turn.speaker.as_str()))
        .map(|turn| {
            let who = if turn.role == Role::Agent {
                Who::Agent
            } else {
                Who::Customer
            };
            (fold_str(&turn.speaker), who)
        })
        .collect()
}

/// Position of `word` in `text` on word boundaries.
fn find_word(text: &str, word: &str) -> Option<usize> {
    if word.is_empty() {
        return None;
    }
    let mut from = 0;
    while let Some(i) = text
        .get(from..)
        .and_then(|r| r.find(word))
        .map(|i| i + from)
    {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        if !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric) {
            return Some(i);
        }
        from = i + word.len().max(1);
    }
    None
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn stats(t: &Transcript, f: &Folded) -> Stats {
    let mut s = Stats {
        turns: t.turns.len(),
        ..Stats::default()
    };
    crate::words::for_each_turn(f, |i, words| {
        let Some(turn) = t.turns.get(i) else {
            return;
        };
        if turn.role == Role::Agent {
            s.agent_turns += 1;
            s.agent_words += words;
        } else {
            s.customer_turns += 1;
            s.customer_words += words;
        }
    });
    if !t.is_timed() {
        return s; // no times: the timing stats stay null, never made up
    }
    let utts = t.utterances();
    let agent = |turn: usize| t.turns[turn].role == Role::Agent;
    let first = utts.iter().map(|u| u.1).fold(f64::INFINITY, f64::min);
    let last = utts.iter().map(|u| u.2).fold(f64::NEG_INFINITY, f64::max);
    let mut talk = ByRole::default();
    let mut inter = ByRole::default();
    let (mut silence, mut longest) = (0.0f64, 0.0f64);
    let mut covered: Option<f64> = None;
    let mut prev: Option<(usize, f64)> = None;
    for &(turn, a, b) in &utts {
        if agent(turn) {
            talk.agent += b - a;
        } else {
            talk.customer += b - a;
        }
        if let Some(c) = covered {
            if a > c {
                silence += a - c;
                longest = longest.max(a - c);
            }
        }
        covered = Some(covered.map_or(b, |c| c.max(b)));
        if let Some((pt, pe)) = prev {
            if agent(pt) != agent(turn) && a < pe - rules::no_interruption::OVERLAP_S {
                if agent(turn) {
                    inter.agent += 1;
                } else {
                    inter.customer += 1;
                }
            }
        }
        prev = Some((turn, b));
    }
    let wpm = |words: usize, secs: f64| (secs > 0.0).then(|| round2(words as f64 / (secs / 60.0)));
    s.duration_s = Some(round2(last - first));
    s.talk_s = Some(ByRole {
        agent: round2(talk.agent),
        customer: round2(talk.customer),
    });
    s.silence_s = Some(round2(silence));
    s.longest_silence_s = Some(round2(longest));
    s.interruptions = Some(inter);
    s.words_per_minute = Some(ByRole {
        agent: wpm(s.agent_words, talk.agent),
        customer: wpm(s.customer_words, talk.customer),
    });
    s
}

fn char_offset(text: &str, byte: usize) -> usize {
    text.get(..byte).map_or(0, |p| p.chars().count())
}

/// [`char_offset`] in turn `turn`, counting nothing in a turn of plain ASCII (most),
/// where every byte is a character.
fn turn_char_offset(ctx: &Ctx<'_>, turn: usize, text: &str, byte: usize) -> usize {
    if ctx.f.is_plain(turn) {
        // (As `char_offset`: 0 past the end, which no caller asks for.)
        if byte <= text.len() {
            byte
        } else {
            0
        }
    } else {
        char_offset(text, byte)
    }
}

/// Map a rule's span to report evidence with original character offsets.
fn evidence(ctx: &Ctx<'_>, s: Span) -> Evidence {
    match s {
        Span::Event(i) => {
            let e = &ctx.t.events[i];
            Evidence {
                turn: None,
                line: e.line,
                speaker: None,
                start: 0,
                end: e.text.chars().count(),
                text: e.text.clone(),
                start_s: e.time,
                end_s: None,
            }
        }
        Span::Turn(i) => {
            let t = &ctx.t.turns[i];
            Evidence {
                turn: Some(i),
                line: t.line,
                speaker: Some(t.speaker.clone()),
                start: 0,
                end: turn_char_offset(ctx, i, &t.text, t.text.len()),
                text: t.text.clone(),
                start_s: t.start,
                end_s: t.end,
            }
        }
        Span::Range { turn, start, end } => {
            let t = &ctx.t.turns[turn];
            // Trim separators the patterns may include at either end.
            let b = ctx.f.buf.as_bytes();
            let (mut s, mut e) = (start, end);
            while s < e && matches!(b[s], b' ' | b',' | b'.' | b';' | b':' | b'!' | b'?') {
                s += 1;
            }
            while e > s && matches!(b[e - 1], b' ' | b',' | b';' | b':') {
                e -= 1;
            }
            let (a, z) = ctx.f.to_original(turn, &t.text, s, e);
            Evidence {
                turn: Some(turn),
                line: t.line_at(a),
                speaker: Some(t.speaker.clone()),
                start: turn_char_offset(ctx, turn, &t.text, a),
                end: turn_char_offset(ctx, turn, &t.text, z),
                text: t.text.get(a..z).unwrap_or_default().to_string(),
                start_s: t.start,
                end_s: t.end,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A report points at its rules' ids and tips (no reference count to share between
    /// threads): the built-in rules' are `'static`, a pack's interned, once per text.
    #[test]
    fn rule_text_is_static_and_a_pack_s_is_interned() {
        let text = "Agent: Good morning, Acme, Jo speaking.\nCustomer: Hi, thanks. Bye.";
        let r = Ruleset::builtin()
            .unwrap()
            .score(text, &ScoreOptions::default())
            .unwrap();
        assert!(r.findings.iter().all(|f| matches!(
            (&f.rule, &f.tip),
            (SharedStr::Static(_), SharedStr::Static(_))
        )));
        let pack = "[pack]\nname = \"p\"\n[[rule]]\nid = \"say-please\"\nkind = \"require\"\nphrases = [\"please\"]\ntip = \"Say please.\"\n";
        let rs = Ruleset::from_toml(pack, None).unwrap();
        let r = rs.score(text, &ScoreOptions::default()).unwrap();
        let f = r.finding("say-please").unwrap();
        let (SharedStr::Static(id), SharedStr::Static(tip)) = (&f.rule, &f.tip) else {
            panic!("{f:?}")
        };
        assert_eq!((*id, *tip), ("say-please", "Say please."));
        // The same pack compiled again points at the same text: nothing more is kept.
        let again = Ruleset::from_toml(pack, None).unwrap();
        let r2 = again.score(text, &ScoreOptions::default()).unwrap();
        let f2 = r2.finding("say-please").unwrap();
        assert!(std::ptr::eq(f.rule.as_ptr(), f2.rule.as_ptr()));
        assert!(std::ptr::eq(f.tip.as_ptr(), f2.tip.as_ptr()));
        assert!(matches!(
            r.finding("greeting").unwrap().rule,
            SharedStr::Static(_)
        ));
    }

    #[test]
    fn builtin_data_compiles() {
        // Eagerly: every built-in pattern compiles.
        let rs = Ruleset::default_ruleset().unwrap();
        assert_eq!(rs.rules().count(), rules::BUILTIN.len());
        for r in rs.rules() {
            assert!(r.doc.contains("**Tip.**"), "{} has no Tip section", r.id);
        }
    }

    #[test]
    fn bad_data_names_file_line_and_column() {
        let src = "[greeting]\nphrases = [\n  \"hello\",\n  \"re:(unclosed\",\n]\n";
        let e = Ruleset::from_data(src, Some("x.toml"), &PhraseEnv::default()).unwrap_err();
        let msg = e.to_string();
        assert!(msg.starts_with("x.toml:4:3:"), "{msg}");
        assert!(msg.contains("greeting.phrases"), "{msg}");
    }

    #[test]
    fn evidence_offsets_slice_the_original_text() {
        let rs = Ruleset::builtin().unwrap();
        let text = "Agent: Good evening, you’ve reached Café Zoë, this is Anaïs.\nCustomer: Hi.\nAgent: Thank you — bye!";
        let (r, t) = rs
            .score_with_transcript(text, &ScoreOptions::default())
            .unwrap();
        let mut n = 0;
        for f in &r.findings {
            for e in &f.evidence {
                if let Some(i) = e.turn {
                    let chars: Vec<char> = t.turns[i].text.chars().collect();
                    let s: String = chars[e.start..e.end].iter().collect();
                    assert_eq!(s, e.text);
                    n += 1;
                }
            }
        }
        assert!(n >= 3);
        assert_eq!(
            r.finding("identification").unwrap().evidence[0].text,
            "you’ve reached"
        );
    }

    #[test]
    fn no_speech_and_missing_agent_are_errors() {
        let rs = Ruleset::builtin().unwrap();
        let o = ScoreOptions::default();
        assert_eq!(rs.score("", &o).unwrap_err().kind(), "no-speech");
        assert_eq!(
            rs.score("# agent: Jo\n[ringing]\n", &o).unwrap_err().kind(),
            "no-speech"
        );
        let e = rs
            .score("# agent: Jo\nSam: Hi.\nKim: Hello.", &o)
            .unwrap_err();
        assert_eq!(e.kind(), "agent-not-found");
        assert_eq!(e.line(), Some(1));
    }

    #[test]
    fn roles_by_name_option_and_inference() {
        let rs = Ruleset::builtin().unwrap();
        let o = ScoreOptions::default();
        let r = rs
            .score(
                "Martha: Hello?\nKevin: Hi, it's Kevin calling from Greenleaf Energy.",
                &o,
            )
            .unwrap();
        assert_eq!(r.agent.speakers, vec!["Kevin"]);
        assert_eq!(r.agent.by, crate::AgentBy::Inference);
        let r = rs
            .score("Caller: Hi.\nTom: Hello, Tom speaking.", &o)
            .unwrap();
        assert_eq!(
            (r.agent.speakers.clone(), r.agent.by),
            (vec!["Tom".to_string()], crate::AgentBy::Name)
        );
        let o = ScoreOptions {
            agents: vec!["caller".into()],
            ..Default::default()
        };
        let r = rs
            .score("Caller: Hi.\nTom: Hello, Tom speaking.", &o)
            .unwrap();
        assert_eq!(
            (r.agent.speakers.clone(), r.agent.by),
            (vec!["Caller".to_string()], crate::AgentBy::Option)
        );
    }

    /// `score` builds a transcript's turns out of the last transcript's (see
    /// `parse::Spare`): nothing of the one before may show. Every ordered pair of these
    /// calls (multi-line turns with their segments, times, events, a turn too long to
    /// keep, a customer-first call, a WebVTT call with end times) scored one after the
    /// other on one thread gives the report `score_with_transcript`, which reuses nothing,
    /// gives.
    #[test]
    fn reports_do_not_depend_on_the_transcript_before() {
        let long = "so ".repeat(400);
        let texts = [
            "Agent: Good morning, Acme, Jo speaking.\nCustomer: Hi, thanks. Bye.".to_string(),
            "[00:01] Agent: Hello, this is Sam at Prism.\nwe are calling about your order\n             and the refund.\n[00:09] Customer: It is still broken, I'm fed up.\n\
             [00:15] Agent: I'm sorry. I will look into it. Goodbye.\n[Agent hangs up]"
                .to_string(),
            format!("Receptionist: Hi.\nCaller: Is Dana there?\nReceptionist: {long}\n\
                     Caller: thanks, bye.\nReceptionist: Thanks for calling, goodbye."),
            "Customer: hello?\nAgent: Hi, you're through to Lee.\nI can take a message.\n\
             Customer: It's Pat, 0123 456789, from Northwind.\nAgent: Thank you, goodbye."
                .to_string(),
            // A timed format: its turns (with end times) are kept too, for the next text.
            "WEBVTT\n\n00:00:01.000 --> 00:00:03.500\n<v Agent>Good morning, Acme, Jo \
             speaking.\n\n00:00:04.000 --> 00:00:06.000\n<v Customer>Hi, thanks. Bye.\n"
                .to_string(),
        ];
        let rs = Ruleset::builtin().unwrap();
        let opts = ScoreOptions::default();
        for a in &texts {
            for b in &texts {
                let _ = rs.score(a, &opts);
                let after = rs.score(b, &opts).unwrap();
                let fresh = rs.score_with_transcript(b, &opts).unwrap().0;
                assert_eq!(after, fresh, "{b:?} after {a:?}");
            }
        }
    }
}
