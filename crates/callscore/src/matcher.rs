//! One pass over a transcript for all phrases of a ruleset.
//!
//! Each phrase compiles to a regex over folded text. From the regex's syntax tree we
//! extract its *anchors*: a small set of literal strings at least one of which every match
//! must contain (for `my name is` that is `name`; for `good (morning|afternoon)`, `good`).
//! Better still, when every match starts with one of a few longer literals (`thank you`,
//! `you'll get`), those are the anchors and a hit marks where a match starts. All anchors
//! of all phrases go into one Aho-Corasick automaton (built by `aho-corasick`, laid out
//! for the walk by `automaton.rs`), so scoring a transcript is one scan of its folded
//! text (all turns, one per line) for every anchor at once. Only the phrases
//! whose anchors occur are then run, and only on the turns where their anchors occur (and
//! only from a little before the first anchor hit to the last), so every match is
//! attributed to its turn by offset; where the anchor is a part in the middle of a phrase
//! whose beginning can be long (`<anyone>, <a clause>, will call`), the turn is read
//! backwards from each anchor hit with that beginning reversed, and the phrase runs only
//! from the starts that finds. The few phrases with no usable anchor (e.g.
//! `{number}`) run once over the whole text. A phrase whose matches are exactly a literal
//! or a few literals between word boundaries (`hello`, `(good)?bye`, `thank you` with its
//! separators) never runs at all: the scan checks the boundaries around each hit itself
//! (see `exact_set` for when that gives exactly the regex's matches).
//!
//! The scan ([`PhraseBook::scan`]) is eager; running the phrases is lazy ([`Hits`]): a
//! list's candidates are checked when a rule first asks for that list, and only in the
//! turns it asks about. Most rules look at one side of the call or at one or two turns,
//! and many lists matter only when another one fired (hedges next to a promise, apologies
//! after a complaint, the parts of a message once one is being taken), so most candidates
//! are never run.
//!
//! Running a phrase means a small backtracker over its syntax tree
//! (`backtrack.rs`), which gives exactly the regex's matches at a fraction of the
//! cost on short turns; the regex itself runs only for syntax outside the backtracker's
//! subset or a search over its step budget. Most phrases never occur in a given call, so
//! the cost is close to one scan of the text whatever the number of rules (a `RegexSet` of
//! the same phrases is slower here: its DFA must track every phrase at once, and phrases
//! that begin with a name class keep it busy at every word).

use std::collections::HashMap;

use regex::{Regex, RegexBuilder};
use regex_syntax::hir::{Hir, HirKind};

use crate::backtrack::is_word_byte;
use crate::fold::Folded;
use crate::phrase::{self, PhraseEnv};
use crate::transcript::Turn;

/// Compile-size bound for one phrase's regex, so no pack can make scoring slow.
pub const PHRASE_SIZE_LIMIT: usize = 2 * 1024 * 1024;

/// Index of a phrase list in a [`PhraseBook`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ListId(pub(crate) usize);

/// A phrase with where it was written, for error messages.
#[derive(Debug, Clone, PartialEq)]
pub struct PhraseSrc {
    /// The phrase as written.
    pub text: String,
    /// 1-based line in its data file, where known.
    pub line: usize,
    /// 1-based column in its data file, where known.
    pub column: usize,
    /// The data file it was written in, where known.
    pub file: Option<String>,
}

#[derive(Debug, Clone)]
struct Pattern {
    list: usize,
    /// The regex source (over folded text).
    src: String,
    /// Compiled on first use (eagerly, as validation, for user packs).
    re: std::sync::OnceLock<Regex>,
    has_name: bool,
    /// The pattern for the backtracker, when its syntax is in the backtracker's subset.
    prog: Option<crate::backtrack::Prog>,
}

/// A regex that never matches, for the (tested-impossible) case of a lazily compiled
/// built-in pattern failing to compile.
fn never() -> Regex {
    static NEVER: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    NEVER
        .get_or_init(|| Regex::new(r"[^\s\S]").unwrap_or_else(|_| unreachable!("a valid regex")))
        .clone()
}

impl Pattern {
    fn re(&self) -> &Regex {
        self.re
            .get_or_init(|| compile_regex(&self.src).unwrap_or_else(|_| never()))
    }
}

fn compile_regex(src: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(src).size_limit(PHRASE_SIZE_LIMIT).build()
}

/// A named list of phrases.
#[derive(Debug, Clone)]
pub struct PhraseList {
    /// The list's id, such as `greeting.phrases`.
    pub id: String,
    /// The phrases as written.
    pub phrases: Vec<String>,
    /// The list's patterns in the book.
    pats: Vec<usize>,
    /// True when the list is matched against event text only, not in the speech pass.
    events: bool,
}

/// A compile error of one phrase.
#[derive(Debug, Clone, PartialEq)]
pub struct PhraseError {
    /// The list the phrase belongs to.
    pub list: String,
    /// The phrase and its place.
    pub phrase: PhraseSrc,
    /// What is wrong.
    pub message: String,
}

/// All phrase lists of a ruleset, compiled.
#[derive(Debug, Clone)]
pub struct PhraseBook {
    /// Unique among the books of this process (keys per-book memos).
    id: u64,
    lists: Vec<PhraseList>,
    pats: Vec<Pattern>,
    /// Every anchor literal of the speech patterns, as one automaton.
    ac: Option<crate::automaton::Table>,
    /// For each anchor literal, the patterns it triggers, each with flags: whether the
    /// literal must start a word to do so ([`WORD_START`]), and the sides of the call
    /// the pattern's lists are asked about on ([`IN_AGENT`], [`IN_CUSTOMER`]; see
    /// [`PhraseBook::set_sides`]): a hit in a turn of the other side triggers nothing.
    /// Exact-literal patterns (one literal or a set) are not here.
    triggers: Rows<(u32, u8)>,
    /// For each anchor literal, the lists of the exact-literal patterns it is (or is one
    /// of the literals of).
    exact_lists: Rows<u32>,
    /// For each anchor literal, what a hit of it does ([`TRIGGERS`], [`EXACT`],
    /// [`FILTERS`]: a literal that only filters just marks the turn) and the sides it is
    /// looked for on, so most hits look up nothing else.
    kind: Vec<u8>,
    /// For each pattern, the other anchor groups that must also occur in the turn: each
    /// group is its length followed by its literals.
    filters: Rows<u32>,
    /// For each list, its speech patterns without a usable anchor: run over the whole text.
    list_always: Vec<Vec<usize>>,
    /// For each pattern, true when its trigger literals are prefixes of its matches (a
    /// match starts at a trigger hit).
    prefix: Vec<bool>,
    /// For each pattern whose trigger literals are exactly one part of its top-level
    /// sequence, what follows that part: a match needs it to match right after one of
    /// the trigger hits, which rules out most hits without running the whole pattern.
    suffix: Vec<Option<crate::backtrack::Prog>>,
    /// For each such pattern whose part before its trigger literals can be long, that
    /// part reversed (see [`before_trigger`]).
    before: Vec<Option<crate::backtrack::Prog>>,
    /// For each pattern, the lists that have it (a pattern in several lists is searched
    /// once).
    lists_of: Rows<u32>,
    /// For each list, the turns the rules ask for its hits in: [`IN_AGENT`] (the agent's),
    /// [`IN_CUSTOMER`] (the customers') or both (see [`PhraseBook::set_sides`]). The scan
    /// of a turn skips the literals that only lists not asked about there use.
    side: Vec<u8>,
    /// For each match state of the automaton (by its place among them), the sides its
    /// literals are looked for on (the union of their [`PhraseBook::kind`] sides): a
    /// match state none of whose literals count on a turn's side is passed over whole.
    state_side: Vec<u8>,
}

/// A trigger's flag (see [`PhraseBook::triggers`]): the literal must start a word.
const WORD_START: u8 = 1;

/// A literal [`PhraseBook::kind`]: it triggers patterns.
const TRIGGERS: u8 = 1;
/// A literal [`PhraseBook::kind`]: it is an exact-literal pattern.
const EXACT: u8 = 2;
/// A literal [`PhraseBook::kind`], and a list's [`PhraseBook::side`]: a list asked about
/// in the agent's turns (uses it as a trigger, a filter or an exact literal), so the scan
/// of the agent's turns keeps it.
const IN_AGENT: u8 = 4;
/// The same for the customers' turns.
const IN_CUSTOMER: u8 = 8;
/// Both sides: what every literal and list is until [`PhraseBook::set_sides`].
const IN_ANY: u8 = IN_AGENT | IN_CUSTOMER;
/// A literal [`PhraseBook::kind`]: some pattern's filter group has it, so the scan notes
/// the turns it occurs in (for the others, nothing asks).
const FILTERS: u8 = 16;

/// A list of lists in two flat arrays: row `i` is `items[at[i]..at[i + 1]]`. The scan
/// reads a few rows per literal hit, and rows that sit together cost fewer cache misses
/// than a heap block each.
#[derive(Debug, Clone, Default)]
struct Rows<T> {
    at: Vec<u32>,
    items: Vec<T>,
}

impl<T> Rows<T> {
    fn new(rows: impl IntoIterator<Item = impl IntoIterator<Item = T>>) -> Rows<T> {
        let mut r = Rows {
            at: vec![0],
            items: Vec::new(),
        };
        for row in rows {
            r.items.extend(row);
            r.at.push(r.items.len() as u32);
        }
        r
    }

    /// Row `i` (empty when there is none).
    fn get(&self, i: usize) -> &[T] {
        match (self.at.get(i), self.at.get(i + 1)) {
            (Some(&a), Some(&b)) => self.items.get(a as usize..b as usize).unwrap_or(&[]),
            _ => &[],
        }
    }

    /// The number of rows.
    fn len(&self) -> usize {
        self.at.len().saturating_sub(1)
    }
}

/// True when each group of a [`PhraseBook::filters`] row has a literal `has` says is there.
fn filters_pass(row: &[u32], has: impl Fn(u32) -> bool) -> bool {
    let mut k = 0;
    while let Some(&n) = row.get(k) {
        let group = row.get(k + 1..k + 1 + n as usize).unwrap_or_default();
        if !group.iter().any(|&l| has(l)) {
            return false;
        }
        k += 1 + n as usize;
    }
    true
}

/// Builder for a [`PhraseBook`].
#[derive(Debug, Default)]
pub struct BookBuilder {
    env: PhraseEnv,
    /// Compile regexes on first use instead of now (for the built-in, tested data: a
    /// faster start-up). User packs compile eagerly, which validates every pattern.
    pub lazy: bool,
    lists: Vec<PhraseList>,
    pats: Vec<Pattern>,
    sources: Vec<String>,
}

impl BookBuilder {
    /// A builder whose `{org}` placeholder expands to `env.orgs`.
    pub fn new(env: PhraseEnv) -> Self {
        BookBuilder {
            env,
            ..Default::default()
        }
    }

    /// Add a list; `events` lists are matched on event text rather than speech.
    pub fn add(
        &mut self,
        id: &str,
        phrases: &[PhraseSrc],
        events: bool,
    ) -> Result<ListId, PhraseError> {
        let li = self.lists.len();
        let mut pats = Vec::with_capacity(phrases.len());
        for p in phrases {
            let err = |message: String| PhraseError {
                list: id.to_string(),
                phrase: p.clone(),
                message,
            };
            let c = phrase::compile(&p.text, &self.env).map_err(err)?;
            let src = format!("(?m){}", c.regex);
            let re = std::sync::OnceLock::new();
            if !self.lazy {
                let _ = re.set(compile_regex(&src).map_err(|e| err(regex_error(&e)))?);
            }
            pats.push(self.pats.len());
            self.pats.push(Pattern {
                list: li,
                src: src.clone(),
                re,
                has_name: c.has_name,
                prog: None,
            });
            self.sources.push(src);
        }
        self.lists.push(PhraseList {
            id: id.to_string(),
            phrases: phrases.iter().map(|p| p.text.clone()).collect(),
            pats,
            events,
        });
        Ok(ListId(li))
    }

    /// Build the anchor automaton.
    pub fn build(mut self) -> Result<PhraseBook, String> {
        let mut literals: Vec<Vec<u8>> = Vec::new();
        let mut index: HashMap<Vec<u8>, u32> = HashMap::new();
        let mut lit_id = |lit: Vec<u8>| -> u32 {
            *index.entry(lit.clone()).or_insert_with(|| {
                literals.push(lit);
                (literals.len() - 1) as u32
            })
        };
        let mut trig: Vec<(u32, u32, bool)> = Vec::new();
        // For each literal, how it is used: whether some trigger or filter use of it
        // takes a hit inside a word too (see `Table::new`'s `word_start`), and whether
        // some filter group has it ([`FILTERS`]).
        let mut uses: Vec<(bool, bool)> = Vec::new();
        let note_use = |uses: &mut Vec<(bool, bool)>, l: u32, initial: bool, filter: bool| {
            if uses.len() <= l as usize {
                uses.resize(l as usize + 1, (false, false));
            }
            uses[l as usize].0 |= !initial;
            uses[l as usize].1 |= filter;
        };
        let mut filters = vec![Vec::new(); self.pats.len()];
        let mut always = Vec::new();
        let mut exact = vec![false; self.pats.len()];
        let mut prefix = vec![false; self.pats.len()];
        let mut suffix = vec![None; self.pats.len()];
        let mut before = vec![None; self.pats.len()];
        // A phrase in several lists (`i'm {name}`...) is searched once; its hits go to
        // every list that has it.
        let speech: Vec<bool> = self
            .pats
            .iter()
            .map(|p| !self.lists[p.list].events)
            .collect();
        let mut canon: HashMap<&str, usize> = HashMap::new();
        let first: Vec<Option<usize>> = (0..self.pats.len())
            .map(|pi| {
                let c = speech[pi].then(|| *canon.entry(self.sources[pi].as_str()).or_insert(pi));
                c.filter(|&c| c != pi)
            })
            .collect();
        // What each phrase's syntax says, worked out for all phrases at once (the costly
        // part of building: parsing, the backtracker's program, the literal groups), on two
        // threads where there are two cores; then put together below, in phrase order.
        let todo: Vec<(usize, bool)> = (0..self.pats.len())
            .filter(|&pi| first[pi].is_none())
            .map(|pi| (pi, speech[pi]))
            .collect();
        let mut studies = study_all(&self.sources, &todo).into_iter();
        let mut also: Vec<Vec<usize>> = vec![Vec::new(); self.pats.len()];
        for pi in 0..self.pats.len() {
            if let Some(c) = first[pi] {
                self.pats[pi].prog = self.pats[c].prog.clone();
                let list = self.pats[pi].list;
                if list != self.pats[c].list && !also[c].contains(&list) {
                    also[c].push(list);
                }
                continue;
            }
            let Some(study) = studies.next() else {
                return Err("internal error: a phrase was not studied".into());
            };
            self.pats[pi].prog = study.prog;
            exact[pi] = study.exact;
            match study.plan {
                Plan::Events | Plan::Never => {}
                Plan::Always => always.push(pi),
                Plan::Anchored {
                    prefix: is_prefix,
                    triggers,
                    suffix: sfx,
                    before: head,
                    filters: groups,
                } => {
                    prefix[pi] = is_prefix;
                    suffix[pi] = sfx.map(|s| *s);
                    before[pi] = head.map(|h| *h);
                    for (lit, initial) in triggers {
                        let l = lit_id(lit);
                        trig.push((l, pi as u32, initial));
                        note_use(&mut uses, l, initial, false);
                    }
                    for g in groups {
                        let mut ids: Vec<u32> = Vec::with_capacity(g.len());
                        for (lit, initial) in g {
                            let l = lit_id(lit);
                            note_use(&mut uses, l, initial, true);
                            ids.push(l);
                        }
                        ids.sort_unstable();
                        filters[pi].push(ids.len() as u32);
                        filters[pi].extend(ids);
                    }
                }
            }
        }
        let lists_of = Rows::new((0..self.pats.len()).map(|p| {
            std::iter::once(self.pats[p].list as u32).chain(also[p].iter().map(|&l| l as u32))
        }));
        let mut triggers = vec![Vec::new(); literals.len()];
        let mut exact_lists = vec![Vec::new(); literals.len()];
        for (l, p, initial) in trig {
            if exact[p as usize] {
                exact_lists[l as usize].extend_from_slice(lists_of.get(p as usize));
            } else {
                let start = if initial { WORD_START } else { 0 };
                triggers[l as usize].push((p, start | IN_ANY));
            }
        }
        // A literal all of whose uses need it to start a word (exact literals always do)
        // is reported by the automaton only where it may: its hits inside words (`her`
        // in `there`, `our` in `your`) would each cost the scan work for nothing.
        let word_start: Vec<bool> = (0..literals.len())
            .map(|l| !uses.get(l).is_some_and(|u| u.0))
            .collect();
        let ac = if literals.is_empty() {
            None
        } else {
            Some(
                crate::automaton::Table::new(&literals, &word_start, common_speech())
                    .ok_or("cannot build the phrase automaton: too large")?,
            )
        };
        let mut list_always = vec![Vec::new(); self.lists.len()];
        for p in always {
            list_always[self.pats[p].list].push(p);
            for &l in &also[p] {
                list_always[l].push(p);
            }
        }
        static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n_lists = self.lists.len();
        Ok(PhraseBook {
            id: NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            lists: self.lists,
            pats: self.pats,
            ac,
            kind: triggers
                .iter()
                .zip(&exact_lists)
                .enumerate()
                .map(|(l, (t, e))| {
                    (if t.is_empty() { 0 } else { TRIGGERS })
                        | (if e.is_empty() { 0 } else { EXACT })
                        | (if uses.get(l).is_some_and(|u| u.1) {
                            FILTERS
                        } else {
                            0
                        })
                        | IN_ANY
                })
                .collect(),
            side: vec![IN_ANY; n_lists],
            state_side: Vec::new(),
            triggers: Rows::new(triggers),
            exact_lists: Rows::new(exact_lists),
            filters: Rows::new(filters),
            list_always,
            prefix,
            suffix,
            before,
            lists_of,
        })
    }
}

/// What [`BookBuilder::build`] learns of one phrase from its syntax alone.
struct Study {
    /// The backtracker's program, where the phrase fits its subset.
    prog: Option<crate::backtrack::Prog>,
    /// The phrase is one literal (or a few): its hits need no check.
    exact: bool,
    /// How the scan finds where it may match.
    plan: Plan,
}

/// How the scan finds where a phrase may match.
enum Plan {
    /// An event phrase: matched on event text, not scanned for.
    Events,
    /// It can never match.
    Never,
    /// No usable literal: searched everywhere.
    Always,
    /// Triggered by literals (with whether each must start a word), each of the filter
    /// groups needing one of its literals in the same turn.
    Anchored {
        /// The triggers are where every match starts.
        prefix: bool,
        triggers: Vec<Lit>,
        /// What must follow a trigger hit (see [`suffix_after`]).
        suffix: Option<Box<crate::backtrack::Prog>>,
        /// What comes before a trigger hit, reversed (see [`before_trigger`]; boxed, as
        /// few patterns have one).
        before: Option<Box<crate::backtrack::Prog>>,
        /// Each filter group's literals, with whether each always starts a word in a
        /// match.
        filters: Vec<Vec<Lit>>,
    },
}

/// Study one phrase (its regex source; `speech`: scanned for, not an event phrase).
fn study(src: &str, speech: bool) -> Study {
    let hir = regex_syntax::ParserBuilder::new()
        .build()
        .parse(&crate::backtrack::sentinel_classes(src).unwrap_or_else(|| src.to_string()))
        .ok();
    let prog = hir.as_ref().and_then(crate::backtrack::Prog::new);
    if !speech {
        return Study {
            prog,
            exact: false,
            plan: Plan::Events,
        };
    }
    // A few literals between word boundaries: the scan checks them itself.
    if let Some(lits) = hir.as_ref().and_then(exact_set) {
        return Study {
            prog,
            exact: true,
            plan: Plan::Anchored {
                prefix: true,
                triggers: lits.into_iter().map(|l| (l, true)).collect(),
                suffix: None,
                before: None,
                filters: Vec::new(),
            },
        };
    }
    let exact = hir.as_ref().is_some_and(is_exact_literal);
    let plan = match hir.as_ref().map_or(Anchors::None, groups_of) {
        Anchors::Never => Plan::Never,
        Anchors::None => Plan::Always,
        Anchors::Groups(mut groups) => {
            // The rarest-looking group triggers; the others filter. Better still, when
            // every match starts with one of a few longer literals (`thank you`, `you'll
            // get`): those trigger, and a hit is where a match starts.
            let best = (0..groups.len())
                .max_by_key(|&g| quality(&groups[g]))
                .unwrap_or(0);
            let best_len = groups[best].iter().map(|l| l.0.len()).min().unwrap_or(0);
            let prefixes = match (&hir, exact) {
                (Some(h), false) => prefix_literals(h)
                    .filter(|(lits, _)| lits.iter().map(Vec::len).min().unwrap_or(0) > best_len),
                _ => None,
            };
            let (prefix, triggers, suffix, before) = match prefixes {
                Some((lits, initial)) => (
                    true,
                    lits.into_iter().map(|l| (l, initial)).collect(),
                    None,
                    None,
                ),
                None => {
                    let trigger = groups.swap_remove(best);
                    let suffix = hir
                        .as_ref()
                        .and_then(|h| suffix_after(h, &trigger))
                        .map(Box::new);
                    // (Only for a pattern the backtracker runs: the regex, which runs the
                    // others, would not use the starts it finds.)
                    let before = hir
                        .as_ref()
                        .filter(|_| prog.is_some())
                        .and_then(|h| before_trigger(h, &trigger))
                        .map(Box::new);
                    (false, trigger, suffix, before)
                }
            };
            // Common or short literals are everywhere: as filters they cost more scanning
            // than they save.
            groups.retain(|g| {
                g.iter().all(|(l, _)| {
                    l.len() >= 3 && !COMMON.contains(&String::from_utf8_lossy(l).trim())
                })
            });
            Plan::Anchored {
                prefix,
                triggers,
                suffix,
                before,
                filters: groups,
            }
        }
    };
    Study { prog, exact, plan }
}

/// See [`set_compile_threads`]: 0 for as many as the machine has cores.
static COMPILE_THREADS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// How many threads compiling a ruleset may use, for the whole process: 0 (the default)
/// to decide by the machine's cores, 1 to compile on the calling thread only. Compiling
/// uses at most two (one started for the purpose, for half of the phrases), whatever
/// this says. The CLI sets 1 for `-j 1`, which then runs on one thread from start to end.
pub fn set_compile_threads(n: usize) {
    COMPILE_THREADS.store(n, std::sync::atomic::Ordering::Relaxed);
}

/// [`study`] each of `todo` (phrase index, speech), in order: half of them on a second
/// thread when the machine has more than one core (and [`set_compile_threads`] allows
/// it), all on this one when it has one, the list is short, or a thread cannot start.
/// For the default rubric this part of building went from 6.4-6.6 to 4.5-4.6 ms (best of
/// 15 start-ups each), and `callscore score one.txt` from 16.1 to 13.4 ms.
fn study_all(sources: &[String], todo: &[(usize, bool)]) -> Vec<Study> {
    let one = |&(pi, speech): &(usize, bool)| study(&sources[pi], speech);
    let cores = match COMPILE_THREADS.load(std::sync::atomic::Ordering::Relaxed) {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    if cores < 2 || todo.len() < 64 {
        return todo.iter().map(one).collect();
    }
    let (left, right) = todo.split_at(todo.len() / 2);
    std::thread::scope(|s| {
        let helper = std::thread::Builder::new()
            .spawn_scoped(s, || right.iter().map(one).collect::<Vec<_>>());
        let mut out: Vec<Study> = left.iter().map(one).collect();
        match helper.map(|h| h.join()) {
            Ok(Ok(rest)) => out.extend(rest),
            // No thread (or it failed): the rest here.
            _ => out.extend(right.iter().map(one)),
        }
        out
    })
}

/// The literals every match of `hir` starts with, when there are a few of them and all
/// are long enough to be rare, and whether they always start a word.
fn prefix_literals(hir: &Hir) -> Option<(Vec<Vec<u8>>, bool)> {
    use regex_syntax::hir::literal::{ExtractKind, Extractor};
    use regex_syntax::hir::Look;
    let seq = Extractor::new()
        .kind(ExtractKind::Prefix)
        .limit_class(4)
        .limit_literal_len(24)
        .limit_total(12)
        .extract(hir);
    let lits = seq.literals()?;
    if lits.is_empty() || lits.iter().any(|l| l.as_bytes().len() < 4) {
        return None;
    }
    // A match starts at a word boundary when the pattern opens with one.
    let first = match hir.kind() {
        HirKind::Concat(parts) => parts.first(),
        _ => Some(hir),
    };
    let initial = first.is_some_and(|f| match f.kind() {
        HirKind::Look(Look::WordStartHalfAscii | Look::WordStartAscii) => true,
        HirKind::Look(Look::WordAscii) => lits
            .iter()
            .all(|l| l.as_bytes().first().is_some_and(|&b| is_word_byte(b))),
        _ => false,
    });
    Some((
        lits.iter().map(|l| l.as_bytes().to_vec()).collect(),
        initial,
    ))
}

/// When `hir` is a sequence one part of which matches exactly the literals of `trigger`
/// (a literal or an alternation of literals), the program of the parts after it (none
/// when it is the last part).
fn suffix_after(hir: &Hir, trigger: &[Lit]) -> Option<crate::backtrack::Prog> {
    let (parts, k) = trigger_part(hir, trigger)?;
    let rest = &parts[k + 1..];
    if rest.is_empty() {
        return None;
    }
    crate::backtrack::Prog::new(&Hir::concat(rest.to_vec()))
}

/// When `hir` is a sequence one part of which matches exactly the literals of `trigger`,
/// and what comes before that part can be longer than [`WIDE_WINDOW`]: the program of
/// that beginning, reversed (see [`crate::backtrack::reversed`]). Run over a turn read
/// backwards from a trigger hit, it finds every place where a match through that hit can
/// start, so that the backtracker tries only those instead of every start within the
/// beginning's reach of the hit (for the rubric's third-party promise, whose subject may
/// be any word before `'ll` or ` will`, most of the turn).
fn before_trigger(hir: &Hir, trigger: &[Lit]) -> Option<crate::backtrack::Prog> {
    let (parts, k) = trigger_part(hir, trigger)?;
    if k == 0 {
        return None;
    }
    let head = Hir::concat(parts[..k].to_vec());
    if head
        .properties()
        .maximum_len()
        .is_some_and(|n| n < WIDE_WINDOW)
    {
        return None;
    }
    crate::backtrack::Prog::new(&crate::backtrack::reversed(&head)?)
}

/// Where `trigger`'s literals are exactly one part (a literal or an alternation of
/// literals) of `hir`'s top-level sequence: the sequence's parts, and that part's index.
fn trigger_part<'h>(hir: &'h Hir, trigger: &[Lit]) -> Option<(&'h [Hir], usize)> {
    fn literals(h: &Hir) -> Option<Vec<Vec<u8>>> {
        match h.kind() {
            HirKind::Literal(l) => Some(vec![l.0.to_vec()]),
            HirKind::Capture(c) => literals(&c.sub),
            HirKind::Alternation(alts) => {
                let mut all = Vec::new();
                for a in alts {
                    all.extend(literals(a).filter(|v| v.len() == 1)?);
                }
                Some(all)
            }
            _ => None,
        }
    }
    let HirKind::Concat(parts) = hir.kind() else {
        return None;
    };
    let mut want: Vec<&[u8]> = trigger.iter().map(|l| l.0.as_slice()).collect();
    want.sort_unstable();
    want.dedup();
    let k = parts.iter().position(|part| {
        literals(part).is_some_and(|mut have| {
            have.sort_unstable();
            have.dedup();
            have.iter().map(Vec::as_slice).eq(want.iter().copied())
        })
    })?;
    Some((parts, k))
}

/// True when a pattern is exactly `\b{start-half}LITERAL\b{end-half}` (ASCII boundaries).
fn is_exact_literal(hir: &Hir) -> bool {
    use regex_syntax::hir::Look;
    let HirKind::Concat(parts) = hir.kind() else {
        return false;
    };
    matches!(
        parts.as_slice(),
        [a, b, c] if matches!(a.kind(), HirKind::Look(Look::WordStartHalfAscii))
            && matches!(b.kind(), HirKind::Literal(_))
            && matches!(c.kind(), HirKind::Look(Look::WordEndHalfAscii))
    )
}

/// The literals of a pattern whose matches are exactly a few literals between word
/// boundaries (`\b{start-half}(?:good)?bye\b{end-half}`, `thank(?:[,;:]? |-)you`, ...),
/// when finding each of them where it stands between word boundaries gives exactly the
/// matches the pattern's regex finds: then the scan checks them itself, as it does a
/// single-literal phrase, and no run of the pattern is ever needed.
///
/// That holds when the regex's leftmost-first, non-overlapping search can never pass over
/// a place where one of the literals stands between boundaries: no literal is a prefix of
/// another (two would match at one place) and none can start inside another's match (a
/// match the regex skips). The pattern must also be free of captures (a match of a
/// literal has none) and of assertions but the two boundaries. `None` otherwise, and for
/// a single literal (see [`is_exact_literal`]).
fn exact_set(hir: &Hir) -> Option<Vec<Vec<u8>>> {
    use regex_syntax::hir::literal::{ExtractKind, Extractor, Literal, Seq};
    use regex_syntax::hir::Look;
    let HirKind::Concat(parts) = hir.kind() else {
        return None;
    };
    let [first, middle @ .., last] = parts.as_slice() else {
        return None;
    };
    if !matches!(first.kind(), HirKind::Look(Look::WordStartHalfAscii))
        || !matches!(last.kind(), HirKind::Look(Look::WordEndHalfAscii))
        || matches!(middle, [m] if matches!(m.kind(), HirKind::Literal(_)))
        || hir.properties().maximum_len().is_none_or(|n| n > 64)
        || middle.iter().any(has_look_or_capture)
    {
        return None;
    }
    // The literals part by part, crossed, given up as soon as they are too many or not
    // exact (building stays quick: this is looked at for every phrase).
    let mut ex = Extractor::new();
    ex.kind(ExtractKind::Prefix)
        .limit_class(8)
        .limit_repeat(4)
        .limit_literal_len(64)
        .limit_total(64);
    let mut seq = Seq::singleton(Literal::exact(Vec::new()));
    for m in middle {
        let mut part = ex.extract(m);
        if !part.is_exact() || part.len().is_none_or(|n| n > MAX_SET) {
            return None;
        }
        seq.cross_forward(&mut part);
        if !seq.is_exact() || seq.len().is_none_or(|n| n > MAX_SET) {
            return None;
        }
    }
    let lits: Vec<Vec<u8>> = seq
        .literals()?
        .iter()
        .map(|l| l.as_bytes().to_vec())
        .collect();
    if lits.is_empty() || lits.iter().any(|l| l.len() < 2) {
        return None;
    }
    // Where a match of `b` could start inside a match of `a` (after a non-word byte of
    // `a`), or at the same place as `a`: the two texts agree as far as both go.
    let clash = |a: &[u8], b: &[u8], i: usize| {
        let rest = &a[i..];
        let n = rest.len().min(b.len());
        rest[..n] == b[..n]
    };
    for (x, a) in lits.iter().enumerate() {
        for (y, b) in lits.iter().enumerate() {
            if x != y && clash(a, b, 0) {
                return None;
            }
            for i in 1..a.len() {
                if !is_word_byte(a[i - 1]) && clash(a, b, i) {
                    return None;
                }
            }
        }
    }
    Some(lits)
}

/// The most literals an exact set may have. Every literal of a set goes into the anchor
/// automaton: with sets of up to 32 (`in a meeting` with its separators is 25) the
/// default rubric's automaton has 15,455 states instead of 7,758 (a 1.2 MB table instead
/// of 0.6 MB; the walk stays as fast, its working set being the states near the start).
/// Building it with `aho-corasick`'s NFA took 7 ms more at every start, which is why
/// `automaton.rs` builds its own trie (start-up is now below what it was without sets).
/// Sets of up to 12 spared half as much scoring time as sets of up to 32.
const MAX_SET: usize = 32;

/// True when `hir` holds an assertion or a capture group anywhere.
fn has_look_or_capture(hir: &Hir) -> bool {
    match hir.kind() {
        HirKind::Look(_) | HirKind::Capture(_) => true,
        HirKind::Repetition(r) => has_look_or_capture(&r.sub),
        HirKind::Concat(v) | HirKind::Alternation(v) => v.iter().any(has_look_or_capture),
        HirKind::Empty | HirKind::Literal(_) | HirKind::Class(_) => false,
    }
}

/// What a pattern's syntax guarantees about its matches.
#[derive(Debug, PartialEq)]
pub(crate) enum Anchors {
    /// It can never match.
    Never,
    /// No usable literals: it must run on everything.
    None,
    /// Every match contains, for each group, at least one of the group's literals.
    Groups(Vec<Vec<Lit>>),
}

/// The anchor groups of a regex (see [`Anchors`]).
#[cfg(test)]
pub(crate) fn anchor_groups(src: &str) -> Anchors {
    match regex_syntax::ParserBuilder::new().build().parse(src) {
        Ok(hir) => groups_of(&hir),
        Err(_) => Anchors::None,
    }
}

fn groups_of(hir: &Hir) -> Anchors {
    if hir.properties().minimum_len().is_none() {
        return Anchors::Never;
    }
    let mut groups = Vec::new();
    collect_groups(hir, false, &mut groups);
    groups.retain(|g| !g.is_empty() && g.len() <= 64 && g.iter().all(|l| l.0.len() >= 2));
    if groups.is_empty() {
        Anchors::None
    } else {
        Anchors::Groups(groups)
    }
}

/// Very common words make poor triggers.
const COMMON: &[&str] = &[
    "you", "the", "and", "to", "it", "is", "that", "of", "in", "for", "have", "can", "what", "how",
    "no", "my", "me", "your", "we", "do", "be", "this", "are", "on", "with", "will", "so", "not",
    "a", "i", "at", "if", "or", "as", "but", "all", "was", "he", "she", "they",
];

fn quality(set: &[Lit]) -> (usize, usize, usize, std::cmp::Reverse<usize>) {
    let common = set
        .iter()
        .filter(|l| COMMON.contains(&String::from_utf8_lossy(&l.0).trim()))
        .count();
    let min = set.iter().map(|l| l.0.len()).min().unwrap_or(0);
    let initial = set.iter().all(|l| l.1);
    (
        usize::from(common == 0),
        min.min(7),
        usize::from(initial),
        std::cmp::Reverse(set.len()),
    )
}

/// A literal of an anchor group, and whether it always starts at a word boundary in
/// the pattern (then a hit inside a word, like `im` in `time`, is not a candidate).
pub(crate) type Lit = (Vec<u8>, bool);

/// True when every match of `h` ends with a non-word character (or is a start assertion),
/// so that what follows it starts at a word boundary.
fn ends_nonword(h: &Hir) -> bool {
    use regex_syntax::hir::Look;
    match h.kind() {
        HirKind::Look(l) => matches!(
            l,
            Look::WordStartHalfAscii
                | Look::WordAscii
                | Look::Start
                | Look::StartLF
                | Look::WordStartHalfUnicode
                | Look::WordUnicode
        ),
        HirKind::Literal(lit) => lit.0.last().is_some_and(|&b| !is_word_byte(b) && b < 0x80),
        HirKind::Alternation(alts) => alts.iter().all(ends_nonword),
        HirKind::Capture(c) => ends_nonword(&c.sub),
        HirKind::Concat(parts) => parts.last().is_some_and(ends_nonword),
        _ => false,
    }
}

/// Groups of literals every match of `h` must contain (one of each group). `initial`: a
/// match of `h` starts at a word boundary.
fn collect_groups(h: &Hir, initial: bool, out: &mut Vec<Vec<Lit>>) {
    match h.kind() {
        HirKind::Literal(lit) => out.push(vec![(lit.0.to_vec(), initial)]),
        HirKind::Capture(c) => collect_groups(&c.sub, initial, out),
        HirKind::Repetition(r) if r.min >= 1 => collect_groups(&r.sub, initial, out),
        HirKind::Concat(parts) => {
            for (k, p) in parts.iter().enumerate() {
                let init = if k == 0 {
                    initial
                } else {
                    ends_nonword(&parts[k - 1])
                };
                collect_groups(p, init, out);
            }
        }
        HirKind::Alternation(alts) => {
            // One group: the union, over branches, of each branch's best group.
            let mut union: Vec<Lit> = Vec::new();
            for a in alts {
                let mut g = Vec::new();
                collect_groups(a, initial, &mut g);
                g.retain(|g| !g.is_empty() && g.iter().all(|l| l.0.len() >= 2));
                let Some(best) = g.into_iter().max_by_key(|g| quality(g)) else {
                    return;
                };
                for lit in best {
                    if !union.contains(&lit) {
                        union.push(lit);
                    }
                }
            }
            out.push(union);
        }
        _ => {}
    }
}

fn regex_error(e: &regex::Error) -> String {
    match e {
        regex::Error::CompiledTooBig(limit) => {
            format!("the pattern compiles too big (over {limit} bytes); make it simpler")
        }
        other => format!("invalid regular expression: {other}"),
    }
}

/// A phrase found in the folded buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    /// The turn it is in.
    pub turn: usize,
    /// Start byte offset in the folded buffer.
    pub start: usize,
    /// End byte offset in the folded buffer.
    pub end: usize,
}

/// What the anchor scan of one transcript found: for each list, the turns where its
/// phrases may match (and where in the turn their anchors are), plus the hits of
/// exact-literal phrases, which need no further check. Owns nothing borrowed, so roles
/// can be assigned between the scan and the rules.
#[derive(Debug, Clone, Default)]
pub struct Scan {
    /// Candidate runs, sorted: (list, turn, pattern, where its trigger hits are in
    /// `hits`).
    runs: Vec<Run>,
    /// The trigger hits of the runs, as (start, end) in the folded buffer, each run's in
    /// order of start.
    hits: Vec<(u32, u32)>,
    /// Exact-literal hits as (list, hit), sorted by list then position.
    exact: Vec<(u32, Hit)>,
    /// For each list, where its runs and exact hits start, and the turns it has any in
    /// (one more entry than lists, for where the last list's end). One vector, not
    /// three: one allocation a call, and what a question about a list reads sits
    /// together.
    at: Vec<ListAt>,
    /// `customer[i]`: turn `i` is a customer's, and was scanned only for the lists asked
    /// about in customers' turns (else: only for those asked about in the agent's); see
    /// [`PhraseBook::scan_roles`]. Empty when every turn was scanned whole.
    customer: Vec<bool>,
}

/// A candidate run: (list, turn, pattern, and where its trigger hits start and end in
/// [`Scan::hits`]).
type Run = (u32, u32, u32, u32, u32);

/// Where one list's share of a [`Scan`] is.
#[derive(Debug, Clone, Copy, Default)]
struct ListAt {
    /// Where the list's runs start in [`Scan::runs`].
    runs: u32,
    /// Where the list's hits start in [`Scan::exact`].
    exact: u32,
    /// The turns with any candidate or exact hit of the list, as bit `turn % 64`: most
    /// questions a rule asks (this list, in this turn?) are answered "none" here.
    turns: u64,
}

impl Scan {
    /// List `list`'s runs and exact hits.
    fn of(&self, list: usize) -> (&[Run], &[(u32, Hit)]) {
        match (self.at.get(list), self.at.get(list + 1)) {
            (Some(a), Some(b)) => (
                self.runs
                    .get(a.runs as usize..b.runs as usize)
                    .unwrap_or_default(),
                self.exact
                    .get(a.exact as usize..b.exact as usize)
                    .unwrap_or_default(),
            ),
            // (An empty scan has no entries at all.)
            _ => (&[], &[]),
        }
    }

    /// The side whose lists the scan of turn `turn` looked for ([`IN_ANY`]: all lists).
    fn side(&self, turn: usize) -> u8 {
        match self.customer.get(turn) {
            Some(true) => IN_CUSTOMER,
            Some(false) => IN_AGENT,
            None => IN_ANY,
        }
    }

    /// False when list `list` has nothing at all to check in turn `turn`.
    fn may_have(&self, list: usize, turn: usize) -> bool {
        self.at
            .get(list)
            .is_some_and(|a| a.turns & (1 << (turn % 64)) != 0)
    }
}

#[cfg(test)]
thread_local! {
    /// How many times [`Hits::direct`] ran on this thread (for tests).
    pub(crate) static DIRECT_RUNS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Working buffers of [`PhraseBook::scan`], kept per thread.
#[derive(Debug, Default)]
struct Scratch {
    /// The match states the walk passed, with where (see `Table::walk`: only the
    /// first entries it reports are this call's).
    parts: Vec<(u32, u32)>,
    /// One turn's hits of triggering literals: (literal, starts a word, start offset,
    /// end offset).
    seen: Vec<(u32, bool, u32, u32)>,
    /// The literals of one turn's hits (to clear `bits` after).
    marked: Vec<u32>,
    /// The same literals as a bit set; all clear between turns.
    bits: Vec<u64>,
    /// One turn's triggered patterns: (pattern, start offset, end offset).
    cand: Vec<(u32, u32, u32)>,
    /// The call's candidate runs in the order they are made (turn by turn), before
    /// they are placed by list into [`Scan::runs`].
    runs: Vec<Run>,
    /// Where the next run of each list goes in [`Scan::runs`] while they are placed.
    place: Vec<u32>,
}

/// The phrases found in one transcript, by list, in text order.
///
/// Verification is lazy: the scan says where each list's phrases may occur, and a list's
/// phrases are checked there only when a rule first asks, and only in the turns it asks
/// about (most rules look at one side of the call, or at one or two turns). A list asked
/// for whole is checked once and remembered.
#[derive(Debug)]
pub struct Hits<'a> {
    book: &'a PhraseBook,
    scan: &'a Scan,
    folded: &'a Folded,
    turns: &'a [Turn],
    full: Vec<std::cell::OnceCell<Vec<Hit>>>,
}

impl<'a> Hits<'a> {
    /// All hits of a list, in text order.
    pub fn of(&self, list: ListId) -> &[Hit] {
        match self.full.get(list.0) {
            Some(cell) => match cell.get() {
                Some(hits) => hits,
                // (Most lists of a big pack have nothing in most calls: answered without
                // filling their cell. A 200-rule pack asks about ~150 lists a call.)
                None if self.nothing(list.0) => &[],
                None => cell.get_or_init(|| self.compute(list.0, None)),
            },
            None => &[],
        }
    }

    /// True when list `list` has no hits in the call, as [`Hits::compute`] would find: the
    /// scan found none of its literals, no turn's scan skipped it, and it has no phrase to
    /// run over the whole text.
    fn nothing(&self, list: usize) -> bool {
        let (runs, exact) = self.scan.of(list);
        runs.is_empty()
            && exact.is_empty()
            && !self.one_sided(list)
            && self.book.list_always.get(list).is_none_or(|a| a.is_empty())
    }

    /// Hits of a list within turn `turn`, in text order.
    pub fn in_turn(&self, list: ListId, turn: usize) -> std::borrow::Cow<'_, [Hit]> {
        use std::borrow::Cow;
        let Some(cell) = self.full.get(list.0) else {
            return Cow::Borrowed(&[]);
        };
        let whole = match cell.get() {
            Some(v) => Some(v.as_slice()),
            // Phrases with no anchor are searched over the whole text, once.
            None if !self.book.list_always[list.0].is_empty() => Some(self.of(list)),
            None if !self.scan.may_have(list.0, turn) && !self.skipped(list.0, turn) => {
                return Cow::Borrowed(&[]);
            }
            None => None,
        };
        match whole {
            Some(hits) => {
                // Hits are sorted by position, so by turn too.
                let a = hits.partition_point(|h| h.turn < turn);
                let b = a + hits[a..].partition_point(|h| h.turn == turn);
                Cow::Borrowed(&hits[a..b])
            }
            None => Cow::Owned(self.compute(list.0, Some(turn))),
        }
    }

    /// The first hit of a list in turn `turn`.
    pub fn first_in(&self, list: ListId, turn: usize) -> Option<Hit> {
        self.in_turn(list, turn).first().copied()
    }

    /// True when the scan skipped list `list`'s literals in turn `turn` (an agent-only
    /// list in a customer's turn, or the other way round): its phrases are then run over
    /// the turn instead.
    fn skipped(&self, list: usize, turn: usize) -> bool {
        // (Most lists are asked about in any turn, and most questions are about them: one
        // look-up, then nothing per turn.)
        self.one_sided(list) && self.book.side[list] & self.scan.side(turn) == 0
    }

    /// True when list `list` is asked about on one side of the call only and the scan
    /// went by sides (so skipped the list's literals on the other).
    fn one_sided(&self, list: usize) -> bool {
        !self.scan.customer.is_empty() && self.book.side.get(list).is_some_and(|&s| s != IN_ANY)
    }

    /// List `list`'s hits in turn `turn` without the scan's help: every phrase of the
    /// list with an anchor run over the whole turn (the list's phrases without one are
    /// run over the whole text by [`Hits::compute`]).
    fn direct(&self, list: usize, turn: usize, out: &mut Vec<Hit>) {
        #[cfg(test)]
        DIRECT_RUNS.with(|n| n.set(n.get() + 1));
        let Some(&(s, e)) = self.folded.spans.get(turn) else {
            return;
        };
        let hay = Hay {
            folded: self.folded,
            turns: self.turns,
            base: s,
            text: &self.folded.buf[s..e],
        };
        let always = &self.book.list_always[list];
        for &p in &self.book.lists[list].pats {
            if !always.contains(&p) {
                self.book.run_window(p, hay, (0, e - s), None, out);
            }
        }
    }

    /// Check list `list`'s candidates (in one turn, or everywhere), sorted by position.
    fn compute(&self, list: usize, turn: Option<usize>) -> Vec<Hit> {
        let mut out = Vec::new();
        // A list's share of the scan is a few entries: filter them by turn.
        let (runs, ex) = self.scan.of(list);
        // (What the scan found of the list in a turn it skipped the list in is partial:
        // such turns are run directly below.)
        let in_turn = |t: usize| turn.is_none_or(|want| want == t) && !self.skipped(list, t);
        out.extend(ex.iter().map(|x| x.1).filter(|h| in_turn(h.turn)));
        let buf = self.folded.buf.as_str();
        for &(_, turn, p, a, z) in runs.iter().filter(|r| in_turn(r.1 as usize)) {
            let Some(&(s, e)) = self.folded.spans.get(turn as usize) else {
                continue;
            };
            let hay = Hay {
                folded: self.folded,
                turns: self.turns,
                base: s,
                text: &buf[s..e],
            };
            let trig = self
                .scan
                .hits
                .get(a as usize..z as usize)
                .unwrap_or_default();
            self.book.run_at(p as usize, hay, trig, &mut out);
        }
        if self.one_sided(list) {
            let scope = match turn {
                Some(t) => t..t + 1,
                None => 0..self.folded.spans.len(),
            };
            for t in scope.filter(|&t| self.skipped(list, t)) {
                self.direct(list, t, &mut out);
            }
        }
        if turn.is_none() {
            let whole = Hay {
                folded: self.folded,
                turns: self.turns,
                base: 0,
                text: buf,
            };
            for &p in &self.book.list_always[list] {
                self.book
                    .run_window(p, whole, (0, buf.len()), None, &mut out);
            }
        }
        if out.len() > 1 {
            out.sort_unstable_by_key(|h| (h.start, h.end));
            out.dedup();
        }
        out
    }
}

impl PhraseBook {
    /// The anchor literals (for tests).
    #[cfg(test)]
    fn ac_literals(&self) -> Vec<String> {
        let mut v = Vec::new();
        for pat in &self.pats {
            let mut lits = Vec::new();
            if let Ok(h) = regex_syntax::Parser::new().parse(&pat.src) {
                collect_groups(&h, false, &mut lits);
            }
            for g in lits {
                for (l, _) in g {
                    v.push(String::from_utf8_lossy(&l).into_owned());
                }
            }
        }
        v.sort();
        v.dedup();
        v
    }

    /// This book's process-unique id.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// The lists, in the order they were added.
    pub fn lists(&self) -> &[PhraseList] {
        &self.lists
    }

    /// The list with this id.
    pub fn list_id(&self, id: &str) -> Option<ListId> {
        self.lists.iter().position(|l| l.id == id).map(ListId)
    }

    /// The phrases of a list as written.
    pub fn phrases(&self, list: ListId) -> &[String] {
        &self.lists[list.0].phrases
    }

    /// Find every speech phrase in a folded transcript (the scan, with its hits checked
    /// as they are asked for).
    pub fn find<'a>(&'a self, scan: &'a Scan, folded: &'a Folded, turns: &'a [Turn]) -> Hits<'a> {
        Hits {
            book: self,
            scan,
            folded,
            turns,
            full: vec![std::cell::OnceCell::new(); self.lists.len()],
        }
    }

    /// Declare the lists whose hits the rules ask for in the agent's turns only, and
    /// those asked for in the customers' turns only (all others: in any turn). The scan
    /// of a turn (see [`PhraseBook::scan_roles`]) then skips every literal that only the
    /// other side's lists use, and [`Hits`] finds such a list's phrases in such a turn, if
    /// it is ever asked, by running them over the turn: a declaration changes how fast
    /// hits are found, never which.
    pub(crate) fn set_sides(&mut self, agent: &[ListId], customer: &[ListId]) {
        self.side = vec![IN_ANY; self.lists.len()];
        for (lists, side) in [(agent, IN_AGENT), (customer, IN_CUSTOMER)] {
            for l in lists {
                if let Some(s) = self.side.get_mut(l.0) {
                    *s = side;
                }
            }
        }
        let side_of = |lists: &[u32]| {
            lists.iter().fold(0, |acc, &l| {
                acc | self.side.get(l as usize).copied().unwrap_or(IN_ANY)
            })
        };
        // The sides each pattern's lists are asked about on.
        let pattern_side: Vec<u8> = (0..self.pats.len())
            .map(|p| side_of(self.lists_of.get(p)))
            .collect();
        for l in 0..self.kind.len() {
            let mut side = side_of(self.exact_lists.get(l));
            for &(p, _) in self.triggers.get(l) {
                side |= pattern_side[p as usize];
            }
            self.kind[l] = (self.kind[l] & !IN_ANY) | side;
        }
        for (p, flags) in self.triggers.items.iter_mut() {
            *flags = (*flags & !IN_ANY) | pattern_side.get(*p as usize).copied().unwrap_or(IN_ANY);
        }
        // A pattern's filter literals too (each group: its length, then its literals).
        for (p, &side) in pattern_side.iter().enumerate() {
            let row = self.filters.get(p);
            let mut k = 0;
            while let Some(&n) = row.get(k) {
                for &l in row.get(k + 1..k + 1 + n as usize).unwrap_or_default() {
                    if let Some(kind) = self.kind.get_mut(l as usize) {
                        *kind |= side;
                    }
                }
                k += 1 + n as usize;
            }
        }
        self.state_side = match &self.ac {
            Some(table) => (0..table.match_states())
                .map(|k| {
                    let mut side = 0;
                    table.each_match(table.match_state(k), |lit, _| {
                        side |= self.kind.get(lit as usize).copied().unwrap_or(IN_ANY) & IN_ANY;
                    });
                    side
                })
                .collect(),
            None => Vec::new(),
        };
    }

    /// One scan of a folded transcript for every anchor literal: where each list's
    /// phrases may occur. [`PhraseBook::find`] turns it into hits.
    pub fn scan(&self, folded: &Folded) -> Scan {
        self.scan_roles(folded, Vec::new())
    }

    /// [`PhraseBook::scan`], where `customer[i]` says whether turn `i` is a customer's or
    /// the agent's: it looks there only for the phrases of the lists asked about on that
    /// side (see [`PhraseBook::set_sides`]). Turns past the end of `customer` are scanned
    /// whole.
    pub(crate) fn scan_roles(&self, folded: &Folded, customer: Vec<bool>) -> Scan {
        thread_local! {
            static SCRATCH: std::cell::RefCell<Scratch> = Default::default();
        }
        // Without one-sided lists, every turn is scanned whole.
        let customer = if self.side.iter().any(|&s| s != IN_ANY) {
            customer
        } else {
            Vec::new()
        };
        SCRATCH.with(|cell| match cell.try_borrow_mut() {
            Ok(mut scratch) => self.scan_with(folded, &mut scratch, customer),
            Err(_) => self.scan_with(folded, &mut Scratch::default(), customer),
        })
    }

    /// [`PhraseBook::scan_roles`] with working buffers kept from one transcript to the
    /// next.
    fn scan_with(&self, folded: &Folded, scratch: &mut Scratch, customer: Vec<bool>) -> Scan {
        let mut out = Scan {
            // About what a 1 KB call needs, so the vectors rarely grow.
            hits: Vec::with_capacity(64),
            exact: Vec::with_capacity(32),
            // Which side each turn was scanned for, for `Hits`.
            customer,
            ..Scan::default()
        };
        let Some(table) = &self.ac else {
            return out;
        };
        let buf = folded.buf.as_bytes();
        // 1. The automaton over the whole buffer: the match states it passes, with where.
        // No literal holds a newline, so the automaton is back at its start after each
        // turn, and the buffer splits at turn boundaries into parts walked in lockstep
        // (independent chains of table look-ups keep the CPU busier: see `LANES`).
        let mut cuts = [0; LANES];
        for (k, cut) in cuts.iter_mut().enumerate().skip(1) {
            let want = buf.len() * k / LANES;
            *cut = folded
                .spans
                .iter()
                .map(|&(s, _)| s)
                .find(|&s| s >= want)
                .unwrap_or(buf.len());
        }
        let Scratch {
            parts,
            seen,
            marked,
            bits,
            cand,
            runs,
            place,
        } = scratch;
        runs.clear();
        let found = table.walk(buf, cuts, parts);
        let ends = parts.get(..found).unwrap_or_default();
        // Per turn: the anchor literals seen (literal, starts a word, start offset), the
        // same as a bit set (for the filters; all clear between turns), and the triggered
        // (pattern, start offset).
        bits.resize(self.triggers.len().div_ceil(64), 0);
        let spans = &folded.spans;
        let (mut next, mut turn) = (0, 0);
        while let Some(&(first_end, _)) = ends.get(next) {
            // The turn of the next hit (a hit ends inside its turn; turns are in order).
            while spans
                .get(turn)
                .is_some_and(|&(_, e)| e < first_end as usize)
            {
                turn += 1;
            }
            let Some(&(_, e)) = spans.get(turn) else {
                break;
            };
            seen.clear();
            marked.clear();
            // The literals of the lists asked about on this turn's side.
            let need = out.side(turn);
            while let Some(&(end, sid)) = ends.get(next).filter(|x| x.0 as usize <= e) {
                next += 1;
                // (Until sides are set, every state is looked at.)
                if let Some(&side) = self.state_side.get(table.match_index(sid)) {
                    if side & need == 0 {
                        continue;
                    }
                }
                let end = end as usize;
                table.each_match(sid, |lit, len| {
                    let kind = self.kind.get(lit as usize).copied().unwrap_or(0);
                    if kind & need == 0 {
                        return;
                    }
                    let at = end - len as usize;
                    let starts_word = at == 0 || !is_word_byte(buf[at - 1]);
                    if kind & FILTERS != 0 {
                        bits[lit as usize / 64] |= 1 << (lit % 64);
                        marked.push(lit);
                    }
                    if kind & TRIGGERS != 0 {
                        seen.push((lit, starts_word, at as u32, end as u32));
                    }
                    // Exact literals need no regex: check the word boundaries here.
                    if kind & EXACT != 0
                        && starts_word
                        && buf.get(end).is_none_or(|&x| !is_word_byte(x))
                    {
                        let hit = Hit {
                            turn,
                            start: at,
                            end,
                        };
                        let lists = self.exact_lists.get(lit as usize);
                        out.exact.extend(lists.iter().map(|&l| (l, hit)));
                    }
                });
            }
            // 2. The patterns those literals trigger, where the turn also holds one
            // literal of each of the pattern's other groups.
            let has = |l: u32| bits[l as usize / 64] & (1 << (l % 64)) != 0;
            cand.clear();
            for &(lit, starts_word, at, end) in seen.iter() {
                for &(p, flags) in self.triggers.get(lit as usize) {
                    if flags & need == 0 || (flags & WORD_START != 0 && !starts_word) {
                        continue;
                    }
                    if filters_pass(self.filters.get(p as usize), has) {
                        cand.push((p, at, end));
                    }
                }
            }
            for &l in marked.iter() {
                bits[l as usize / 64] = 0;
            }
            if cand.is_empty() {
                continue;
            }
            // 3. One run per pattern (a match contains a trigger hit, so it starts at the
            // last trigger hit of the turn or before), for each list that has it.
            cand.sort_unstable();
            let mut c = 0;
            while c < cand.len() {
                let p = cand[c].0;
                let mut last = c;
                while last + 1 < cand.len() && cand[last + 1].0 == p {
                    last += 1;
                }
                let from = out.hits.len() as u32;
                out.hits
                    .extend(cand[c..=last].iter().map(|&(_, a, e)| (a, e)));
                let to = out.hits.len() as u32;
                c = last + 1;
                for &list in self.lists_of.get(p as usize) {
                    runs.push((list, turn as u32, p, from, to));
                }
            }
        }
        // The runs were made turn by turn, and in a turn pattern by pattern: placed by
        // list in that order (a counting sort, stable), they are in (list, turn, pattern)
        // order.
        let n = self.lists.len();
        out.exact
            .sort_unstable_by_key(|&(l, h)| (l, h.start, h.end));
        // Each list's runs and exact hits counted (after the list: the sums below make
        // them where the list's start), and the turns it has any in.
        let mut at = vec![ListAt::default(); n + 1];
        let mut count = |list: u32, turn: usize, runs: u32, exact: u32| {
            if let Some(a) = at.get_mut(list as usize + 1) {
                a.runs += runs;
                a.exact += exact;
            }
            if let Some(a) = at.get_mut(list as usize) {
                a.turns |= 1 << (turn % 64);
            }
        };
        for r in runs.iter() {
            count(r.0, r.1 as usize, 1, 0);
        }
        for &(l, h) in out.exact.iter() {
            count(l, h.turn, 0, 1);
        }
        // (Running sums in registers: a 200-rule pack has ~400 lists, and summing each
        // entry into the next through memory was a seventh of its scan.)
        let (mut runs_before, mut exact_before) = (0, 0);
        for a in at.iter_mut() {
            runs_before += a.runs;
            exact_before += a.exact;
            (a.runs, a.exact) = (runs_before, exact_before);
        }
        place.clear();
        place.extend(at.iter().map(|a| a.runs));
        out.runs = vec![(0, 0, 0, 0, 0); runs.len()];
        for &r in runs.iter() {
            if let Some(at) = place.get_mut(r.0 as usize) {
                if let Some(slot) = out.runs.get_mut(*at as usize) {
                    *slot = r;
                }
                *at += 1;
            }
        }
        out.at = at;
        out
    }

    /// Run pattern `p` over `hay` (one turn) given its trigger hits there (start, end in
    /// the folded buffer, in order of start). Every match contains a trigger hit, so a
    /// match starts at the last hit or before, and no earlier than the pattern's longest
    /// match (or its most spaces) before the first.
    fn run_at(&self, p: usize, hay: Hay<'_>, trig: &[(u32, u32)], out: &mut Vec<Hit>) {
        let at = |x: u32| x as usize - hay.base;
        let mut hits = match (trig.first(), trig.last()) {
            (Some(f), Some(l)) => (at(f.0), at(l.0)),
            _ => return,
        };
        // For a pattern with a reversed beginning: the trigger hits a match can go
        // through (all of them unless ruled out below).
        let head = self.before[p].as_ref().filter(|_| !self.prefix[p]);
        let mut through: Vec<usize> = Vec::new();
        if let Some(sfx) = self.suffix[p].as_ref().filter(|_| !self.prefix[p]) {
            // Only the trigger hits the rest of the pattern can follow: none, no match.
            let (mut lo, mut hi) = (usize::MAX, 0);
            for &(a, e) in trig {
                // Over budget: this hit cannot be ruled out.
                if sfx.matches_at(hay.text.as_bytes(), at(e)).unwrap_or(true) {
                    lo = lo.min(at(a));
                    hi = hi.max(at(a));
                    if head.is_some() {
                        through.push(at(a));
                    }
                }
            }
            if lo > hi {
                return;
            }
            hits = (lo, hi);
        } else if head.is_some() {
            through.extend(trig.iter().map(|&(a, _)| at(a)));
        }
        let from = match &self.pats[p].prog {
            _ if self.prefix[p] => hits.0,
            Some(prog) => {
                let bytes = hay.text.as_bytes();
                let by_len = hits.0.saturating_sub(prog.max_len());
                let by_words = after_spaces_before(bytes, hits.0, prog.max_spaces());
                by_len.max(by_words)
            }
            None => 0,
        };
        if let Some(head) = head {
            if hits.1 - from >= WIDE_WINDOW {
                if let Some(starts) = starts_before(head, hay.text, &through) {
                    return self.run_window(p, hay, (from, hits.1), Some(&starts), out);
                }
            }
        }
        self.run_window(p, hay, (from, hits.1), None, out);
    }

    /// Run pattern `p` over `hay` for the matches that start in `window` (and only at
    /// `starts`, when given: the only places in the window where a match can start): with
    /// the backtracker when the pattern has a program and the search stays in budget, else
    /// with the regex over all of `hay` (the same matches: none starts outside the window).
    fn run_window(
        &self,
        p: usize,
        hay: Hay<'_>,
        window: (usize, usize),
        starts: Option<&[usize]>,
        out: &mut Vec<Hit>,
    ) {
        let pat = &self.pats[p];
        if let Some(prog) = &pat.prog {
            let mark = out.len();
            let emit = |m: crate::backtrack::Match| {
                let hit = hay.hit(m.start, m.end);
                // When the name group took no part (another alternative matched), there
                // is no name to check.
                if !pat.has_name || m.name.is_none_or(|(s, e)| hay.name_ok(&hit, s, e)) {
                    out.push(hit);
                }
                true
            };
            let bytes = hay.text.as_bytes();
            let r = match starts {
                Some(starts) => prog.find_at(bytes, starts, emit),
                None => prog.find_iter(bytes, window.0, window.1, emit),
            };
            match r {
                Ok(()) => return,
                Err(crate::backtrack::Budget) => out.truncate(mark),
            }
        }
        self.run(p, hay, out);
    }

    /// Run pattern `p`'s regex over `hay`.
    fn run(&self, p: usize, hay: Hay<'_>, out: &mut Vec<Hit>) {
        let pat = &self.pats[p];
        if pat.has_name {
            for caps in pat.re().captures_iter(hay.text) {
                let Some(m) = caps.get(0) else { continue };
                let hit = hay.hit(m.start(), m.end());
                let name = caps.name("name");
                if name.is_none_or(|n| hay.name_ok(&hit, n.start(), n.end())) {
                    out.push(hit);
                }
            }
        } else {
            for m in pat.re().find_iter(hay.text) {
                if m.start() < m.end() {
                    out.push(hay.hit(m.start(), m.end()));
                }
            }
        }
    }

    /// True when any phrase of `list` occurs in `text` (folded already).
    pub fn is_match(&self, list: ListId, text: &str) -> bool {
        self.lists[list.0]
            .pats
            .iter()
            .any(|&p| self.first_match(p, text).is_some())
    }

    /// The first match of `list` in `text` (folded already), as a byte range.
    pub fn find_in(&self, list: ListId, text: &str) -> Option<(usize, usize)> {
        self.lists[list.0]
            .pats
            .iter()
            .filter_map(|&p| self.first_match(p, text))
            .min()
    }

    /// The leftmost-first match of pattern `p` in `text`: the backtracker's where the
    /// pattern has a program and the search stays in budget, else the regex's.
    fn first_match(&self, p: usize, text: &str) -> Option<(usize, usize)> {
        let pat = &self.pats[p];
        if let Some(prog) = &pat.prog {
            if let Ok(m) = prog.find(text.as_bytes()) {
                return m.map(|m| (m.start, m.end));
            }
        }
        pat.re().find(text).map(|m| (m.start(), m.end()))
    }
}

/// From this many bytes of possible starts on, a pattern with a [`before_trigger`]
/// program runs only from the starts that program finds (below, trying every start costs
/// less than reading the turn backwards).
const WIDE_WINDOW: usize = 48;

/// Every place in `text` where a match of a pattern can start through one of the trigger
/// hits at `through` (offsets in `text`), given `head`, the pattern's part before its
/// trigger reversed (see [`before_trigger`]): in order, each once. `None` when the search
/// runs out of budget (every start must then be tried).
fn starts_before(
    head: &crate::backtrack::Prog,
    text: &str,
    through: &[usize],
) -> Option<Vec<usize>> {
    // Read backwards character by character, offset `x` of `text` is offset `n - x` of
    // the reversed text (a character keeps its bytes, in order).
    let rev: String = text.chars().rev().collect();
    let n = text.len();
    let mut ends = Vec::new();
    for &a in through {
        head.ends(rev.as_bytes(), n.checked_sub(a)?, &mut ends)
            .ok()?;
    }
    let mut starts: Vec<usize> = ends.into_iter().filter_map(|r| n.checked_sub(r)).collect();
    starts.sort_unstable();
    starts.dedup();
    Some(starts)
}

/// Common words of spoken English, most frequent first (see the data file).
const COMMON_WORDS: &str = include_str!("../data/common-words.txt");

/// A text of common spoken English for the anchor automaton to order its states by (see
/// `automaton.rs`): built once, from [`COMMON_WORDS`], in 64 lines, word `r` (from 0,
/// most frequent first) on the lines whose number is a multiple of `r + 1`. So each word
/// occurs about in proportion to `1 / (r + 1)` (as word frequencies fall off in speech),
/// between varied neighbours, in about 5 KB: a few microseconds to walk.
fn common_speech() -> &'static [u8] {
    static TEXT: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    TEXT.get_or_init(|| {
        let words: Vec<&str> = COMMON_WORDS
            .lines()
            .filter(|l| !l.starts_with('#'))
            .flat_map(str::split_whitespace)
            .collect();
        let mut text = Vec::new();
        for line in 0..64 {
            for (r, w) in words.iter().enumerate() {
                if line % (r + 1) == 0 {
                    text.extend_from_slice(w.as_bytes());
                    text.push(b' ');
                }
            }
            text.push(b'\n');
        }
        text
    })
}

/// Lanes of the automaton walk: independent chains of table look-ups in one loop. Two
/// made scoring ~10% faster than one; three, with the look-ups unchecked, another 3%
/// (`ab.py`: 8.89-8.91 -> 8.62-8.65 µs a STAR call); four no faster than two (more live
/// registers than the CPU has).
const LANES: usize = 3;

/// The position just after the `n + 1`-th space before `at` (0 when there are fewer): no
/// match that holds at most `n` spaces before `at` can start earlier.
fn after_spaces_before(hay: &[u8], at: usize, n: usize) -> usize {
    if n == usize::MAX {
        return 0;
    }
    let mut seen = 0usize;
    for i in (0..at.min(hay.len())).rev() {
        if hay[i] == b' ' {
            seen += 1;
            if seen > n {
                return i + 1;
            }
        }
    }
    0
}

/// Is the word at folded offset `at` plausibly a person's or organisation's name?
/// Where a pattern runs: `text` (one turn, or the whole buffer), which starts at `base`
/// in the folded buffer of `turns`.
#[derive(Clone, Copy)]
struct Hay<'a> {
    folded: &'a Folded,
    turns: &'a [Turn],
    base: usize,
    text: &'a str,
}

impl Hay<'_> {
    /// The hit for the match `[s, e)` of `text`.
    fn hit(&self, s: usize, e: usize) -> Hit {
        Hit {
            turn: self.folded.turn_at(self.base + s),
            start: self.base + s,
            end: self.base + e,
        }
    }

    /// Whether `text[s..e]`, the `{name}` of a match `hit`, can be a name.
    fn name_ok(&self, hit: &Hit, s: usize, e: usize) -> bool {
        let text = &self.turns[hit.turn].text;
        self.text
            .get(s..e)
            .is_some_and(|w| name_ok(self.folded, hit.turn, text, self.base + s, w))
    }
}

/// Whether `word`, found at folded offset `at` of turn `i` (whose original text is
/// `text`), can be a name.
fn name_ok(folded: &Folded, i: usize, text: &str, at: usize, word: &str) -> bool {
    let w = word.trim_end_matches(['\'', '-']);
    if w.chars().count() < 2 || phrase::is_common_word(w) {
        return false;
    }
    if w.ends_with("ing") || w.ends_with("ly") {
        return false;
    }
    // In a transcript written with capitals, a name is capitalised.
    let cased = if text.is_ascii() {
        let b = text.as_bytes();
        b.iter().any(u8::is_ascii_uppercase) && b.iter().any(u8::is_ascii_lowercase)
    } else {
        text.chars().any(char::is_uppercase) && text.chars().any(char::is_lowercase)
    };
    if !cased {
        return true;
    }
    let (s, _) = folded.to_original(i, text, at, at + 1);
    text.get(s..)
        .and_then(|r| r.chars().next())
        .is_some_and(|c| c.is_uppercase() || !c.is_alphabetic())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn groups(phrase: &str) -> Anchors {
        let c = crate::phrase::compile(phrase, &PhraseEnv::default()).unwrap();
        anchor_groups(&format!("(?m){}", c.regex))
    }

    fn g(v: &[&[(&str, bool)]]) -> Anchors {
        Anchors::Groups(
            v.iter()
                .map(|g| g.iter().map(|(l, i)| (l.as_bytes().to_vec(), *i)).collect())
                .collect(),
        )
    }

    #[test]
    fn anchors_of_phrases() {
        assert_eq!(groups("see you"), g(&[&[("see", true)], &[("you", true)]]));
        assert_eq!(
            groups("good (morning|afternoon)"),
            g(&[&[("good", true)], &[("morning", true), ("afternoon", true)]])
        );
        // `bye` may end `goodbye`: not word-initial.
        assert_eq!(groups("(good)?bye"), g(&[&[("bye", false)]]));
        assert_eq!(groups("{org}"), Anchors::Never);
        assert_eq!(groups("{number}"), Anchors::None);
    }

    /// Random folded-looking text from the patterns' own literals, names, non-ASCII
    /// letters, digits and punctuation (a seeded generator: the same texts every run).
    fn random_texts(book: &PhraseBook, n: usize) -> Vec<String> {
        let mut vocab: Vec<String> = Vec::new();
        for lit in book.ac_literals() {
            vocab.push(lit);
        }
        // Whole phrases, their syntax flattened: near-matches and matches.
        for list in &book.lists {
            for ph in list.phrases.iter().filter(|p| !p.starts_with("re:")) {
                let flat = ph
                    .replace("{name}", "Sarah")
                    .replace("{word}", "today")
                    .replace("{number}", "0161 496 0000")
                    .replace("{org}", "acme")
                    .replace(['(', ')', '?'], "")
                    .replace('|', " ");
                vocab.push(flat.to_lowercase());
            }
        }
        for w in [
            "sarah",
            "émile",
            "o'neil",
            "jean-luc",
            "ß",
            "İ",
            "naïve",
            "123",
            "555 0199",
            "07700-900",
            ",",
            ".",
            "?",
            "!",
            "-",
            "'",
            ";",
            ":",
            "...",
            "  ",
            "—",
            "é",
            "ı",
            "\u{301}",
            "_",
            "x",
        ] {
            vocab.push(w.to_string());
        }
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        (0..n)
            .map(|_| {
                let len = 1 + next() as usize % 24;
                let mut t = String::new();
                for _ in 0..len {
                    let w = &vocab[next() as usize % vocab.len()];
                    t.push_str(w);
                    match next() % 5 {
                        0 => {}
                        1 => t.push_str(", "),
                        _ => t.push(' '),
                    }
                }
                t
            })
            .collect()
    }

    #[test]
    fn backtracker_agrees_with_the_regex_on_every_builtin_pattern() {
        let rs = crate::Ruleset::builtin().unwrap();
        let b = &rs.book;
        let texts = random_texts(b, 1500);
        let (mut with_prog, mut speech, mut matched, mut named) = (0, 0, 0, 0);
        for pat in &b.pats {
            speech += usize::from(!b.lists[pat.list].events);
            let Some(prog) = &pat.prog else { continue };
            with_prog += 1;
            let re = pat.re();
            for t in &texts {
                let want: Vec<crate::backtrack::Match> = re
                    .captures_iter(t)
                    .filter_map(|c| {
                        let m = c.get(0)?;
                        let name = c.name("name").map(|n| (n.start(), n.end()));
                        Some(crate::backtrack::Match {
                            start: m.start(),
                            end: m.end(),
                            name,
                        })
                    })
                    .filter(|m| m.start < m.end)
                    .collect();
                let mut got = Vec::new();
                let r = prog.find_iter(t.as_bytes(), 0, t.len(), |m| {
                    got.push(m);
                    true
                });
                if r.is_ok() {
                    assert_eq!(got, want, "pattern {} on {t:?}", pat.src);
                    matched += usize::from(!got.is_empty());
                    named += got.iter().filter(|m| m.name.is_some()).count();
                }
            }
        }
        // Nearly every pattern runs on the backtracker.
        assert!(with_prog * 10 >= speech * 9, "{with_prog} of {speech}");
        // The texts exercise the patterns: many (pattern, text) pairs match, names too.
        eprintln!("{matched} matching pairs, {named} name matches");
        assert!(
            matched > 2000 && named > 100,
            "{matched} matching pairs, {named} names"
        );
    }

    /// Compile each of `cases` (a pattern, and how many of `count` its program should
    /// have) for the backtracker and check that it finds what the regex finds on 4,000
    /// seeded texts made of `pieces`, on at least 20 of them; with `anchored`, also that
    /// `matches_at` and `ends` agree with the regex at every position.
    fn agrees_with_regex(
        cases: &[(&str, usize)],
        pieces: &[&str],
        seed: u64,
        count: impl Fn(&crate::backtrack::Prog) -> usize,
        anchored: bool,
    ) {
        let mut rng = crate::testing::Rng::new(seed);
        let texts: Vec<String> = (0..4000).map(|_| rng.text(pieces, 14)).collect();
        for &(src, want) in cases {
            let hir = regex_syntax::ParserBuilder::new()
                .build()
                .parse(src)
                .unwrap();
            let prog = crate::backtrack::Prog::new(&hir).unwrap();
            assert_eq!(count(&prog), want, "{src}");
            let re = Regex::new(src).unwrap();
            let at_start = Regex::new(&format!("^(?:{src})")).unwrap();
            let mut matched = 0;
            for t in &texts {
                let want: Vec<(usize, usize)> = re
                    .find_iter(t)
                    .map(|m| (m.start(), m.end()))
                    .filter(|m| m.0 < m.1)
                    .collect();
                let mut got = Vec::new();
                let r = prog.find_iter(t.as_bytes(), 0, t.len(), |m| {
                    got.push((m.start, m.end));
                    true
                });
                assert!(r.is_ok(), "{src} on {t:?}");
                assert_eq!(got, want, "{src} on {t:?}");
                matched += usize::from(!got.is_empty());
                if !anchored {
                    continue;
                }
                for at in (0..t.len()).filter(|&i| t.is_char_boundary(i)) {
                    let m = at_start.find(&t[at..]).map(|m| at + m.end());
                    assert_eq!(
                        prog.matches_at(t.as_bytes(), at),
                        Ok(m.is_some()),
                        "{src} on {t:?} at {at}"
                    );
                    let mut ends = Vec::new();
                    prog.ends(t.as_bytes(), at, &mut ends).unwrap();
                    if let Some(end) = m {
                        assert!(ends.contains(&end), "{src} on {t:?} at {at}: {ends:?}");
                    } else {
                        assert!(ends.is_empty(), "{src} on {t:?} at {at}: {ends:?}");
                    }
                }
            }
            assert!(matched > 20, "{src}: {matched} texts match");
        }
    }

    /// A greedy class repetition that what follows it can never start inside (`[a-z']+`
    /// before a space) is tried at its longest run only, and one that it can
    /// (`[a-z]+` before `ing`) gives back; either way the matches are the regex's, on
    /// seeded random texts. (Fails if a repetition is made possessive wrongly, or the
    /// compiler finds none.)
    #[test]
    fn possessive_runs_only_where_giving_back_cannot_help() {
        let cases = [
            (r" [a-z']+ zzz", 1),
            (r"(?: [a-z']+){0,3}? (?:call|come)(?-u:\b)", 1),
            (r"\d+ ?(?:am|pm)", 1),
            (r"[a-z]+a", 0),
            (r"[a-z]+ing(?-u:\b)", 0),
            (r"[a-z' ]{1,30},", 1),
            (r"[a-z ]+ zzz", 0),
        ];
        const PIECES: &[&str] = &[
            "a", "i", "n", "g", "z", " zzz", " ", "'", ",", "1", "2", " am", "pm", " call", "come",
            "ing", " word",
        ];
        agrees_with_regex(&cases, PIECES, 0x5EED, |p| p.possessive_runs(), false);
    }

    /// A lazy repetition of something with one way through (literals, classes and
    /// possessive runs) is tried in a loop, and finds what the regex finds; one with more
    /// ways through (a run that gives back, an alternation), or a greedy one, recurses as
    /// before. Anchored searches (`matches_at`, `ends`) agree with the regex too.
    #[test]
    fn lazy_repetitions_of_one_way_bodies_loop() {
        let cases = [
            (r"(?: [a-z']+){0,3}? (?:call|come)(?-u:\b)", 1),
            (r"(?:a[0-9]+){1,}?z", 1),
            (r"x(?: [a-z']+,){1,3}? call", 1),
            (r"(?: [a-z]+){0,3}? (?:call|come)", 1),
            (r"(?: [a-z ]+){0,3}? call", 0),
            (r"(?: (?:call|come)){0,3}? zzz", 0),
            (r"(?: [a-z']+){0,3} (?:call|come)", 0),
        ];
        const PIECES: &[&str] = &[
            "a", "i", "z", "x", " zzz", " ", "'", ",", "1", "2", " call", " come", "ing", " word",
            "a1", "a22", " ab,", "x ab,",
        ];
        agrees_with_regex(&cases, PIECES, 0x100F, |p| p.lazy_loops(), true);
    }

    /// Score `chunk` as the turns of one call with `b`, and check that the phrase pass
    /// finds, list by list and turn by turn (lazily) and whole, exactly what running
    /// every phrase's regex on every turn finds. Returns the number of hits.
    fn check_pass_equals_regex(b: &PhraseBook, chunk: &[String]) -> usize {
        let mut found = 0;
        let turns: Vec<Turn> = chunk
            .iter()
            .enumerate()
            .map(|(i, t)| Turn {
                index: i,
                speaker: if i % 2 == 0 { "A" } else { "B" }.into(),
                role: Default::default(),
                // Capitalised names, so that the name check has work to do.
                text: t.replace("sarah", "Sarah").replace("émile", "Émile"),
                line: i + 1,
                start: None,
                end: None,
                segments: vec![],
            })
            .collect();
        let folded = Folded::new(&turns);
        let mut naive: Vec<Vec<Hit>> = vec![Vec::new(); b.lists.len()];
        for (p, pat) in b.pats.iter().enumerate() {
            if b.lists[pat.list].events {
                continue;
            }
            for &(s, e) in &folded.spans {
                let hay = Hay {
                    folded: &folded,
                    turns: &turns,
                    base: s,
                    text: &folded.buf[s..e],
                };
                b.run(p, hay, &mut naive[pat.list]);
            }
        }
        for v in naive.iter_mut() {
            v.sort_by_key(|h| (h.start, h.end));
            v.dedup();
            found += v.len();
        }
        // The whole scan, and the scan by sides: every third turn marked a customer's
        // (where agent-only lists' literals are skipped), the others the agent's (where
        // customer-only lists' are); such lists are then run over those turns when asked,
        // which every list is below.
        let customer: Vec<bool> = (0..turns.len()).map(|i| i % 3 == 1).collect();
        for (how, scan) in [
            ("whole", b.scan(&folded)),
            ("by role", b.scan_roles(&folded, customer)),
        ] {
            let fast = b.find(&scan, &folded, &turns);
            for (l, v) in naive.iter().enumerate() {
                // Turn by turn, checked lazily (a fresh `Hits` for each list)...
                let lazy = b.find(&scan, &folded, &turns);
                for turn in 0..turns.len() {
                    let want: Vec<Hit> = v.iter().filter(|h| h.turn == turn).copied().collect();
                    assert_eq!(
                        &*lazy.in_turn(ListId(l), turn),
                        &want[..],
                        "{how}: list {} turn {turn} on {chunk:?}",
                        b.lists[l].id
                    );
                }
                // ...and whole.
                assert_eq!(
                    fast.of(ListId(l)),
                    &v[..],
                    "{how}: list {} on {chunk:?}",
                    b.lists[l].id
                );
            }
        }
        found
    }

    /// The whole candidate machinery (anchors, prefix anchors, filters, search windows,
    /// shared phrases, exact literals and sets, the backtracker) finds exactly what
    /// running every phrase's regex on every turn finds.
    #[test]
    fn phrase_pass_equals_every_regex_on_every_turn() {
        let rs = crate::Ruleset::builtin().unwrap();
        let b = &rs.book;
        let texts = random_texts(b, 1200);
        let mut found = 0;
        // Calls of six turns, and one of 150 (past the 64 turns the scan's per-list turn
        // bits tell apart).
        for chunk in texts.chunks(6).chain(std::iter::once(&texts[..150])) {
            found += check_pass_equals_regex(b, chunk);
        }
        assert!(
            found > 3000,
            "{found} hits: the texts should exercise the lists"
        );
    }

    /// The built-in rules ask about the lists of `rules::AGENT_TURNS_ONLY` in the agent's
    /// turns only, and about those of `rules::CUSTOMER_TURNS_ONLY` in the customers' only:
    /// scoring never has to run one over a turn of the other side (which would be correct,
    /// only slow). Calls of random phrases, where both sides say everything the other
    /// might, and the default rubric's scan skipping some literals on each side (checked,
    /// so the test cannot pass by skipping nothing).
    #[test]
    fn one_sided_lists_are_asked_on_their_side_only() {
        let rs = crate::Ruleset::builtin().unwrap();
        let b = &rs.book;
        let count = |side: u8| b.side.iter().filter(|&&s| s == side).count();
        assert!(count(IN_AGENT) >= 20 && count(IN_CUSTOMER) >= 5);
        let only = |side: u8| b.kind.iter().filter(|&&k| k & IN_ANY == side).count();
        assert!(only(IN_AGENT) > 1000 && only(IN_CUSTOMER) > 200);
        let texts = random_texts(b, 600);
        DIRECT_RUNS.with(|n| n.set(0));
        let mut scored = 0;
        for chunk in texts.chunks(8) {
            let call: String = chunk
                .iter()
                .enumerate()
                .map(|(i, t)| {
                    let who = if i % 2 == 0 { "Agent" } else { "Customer" };
                    format!("{who}: {}\n", t.replace('\n', " "))
                })
                .collect();
            scored += usize::from(rs.score(&call, &Default::default()).is_ok());
        }
        assert!(scored > 60, "{scored} calls scored");
        assert_eq!(DIRECT_RUNS.with(|n| n.get()), 0);
    }

    /// The literals [`exact_set`] finds for a phrase, sorted (`None`: not a set).
    fn exact_lits(phrase: &str) -> Option<Vec<String>> {
        let c = crate::phrase::compile(phrase, &PhraseEnv::default()).unwrap();
        let src = format!("(?m){}", c.regex);
        let hir = regex_syntax::Parser::new().parse(&src).unwrap();
        let mut v: Vec<String> = exact_set(&hir)?
            .into_iter()
            .map(|l| String::from_utf8(l).unwrap())
            .collect();
        v.sort();
        Some(v)
    }

    #[test]
    fn exact_sets_of_phrases() {
        assert_eq!(
            exact_lits("(good)?bye"),
            Some(vec!["bye".to_string(), "goodbye".to_string()])
        );
        let thanks = exact_lits("thank you").unwrap();
        assert_eq!(thanks.len(), 5, "{thanks:?}");
        assert!(
            thanks.contains(&"thank-you".to_string()) && thanks.contains(&"thank, you".to_string())
        );
        // One literal is a prefix of another: both would match at one place, where the
        // regex finds one.
        assert_eq!(exact_lits("bye( bye)?"), None);
        assert_eq!(exact_lits("my name( is)?"), None);
        // One can start inside the other: the regex skips that match.
        assert_eq!(exact_lits("(ab cd|cd ef)"), None);
        // A name is no literal; one literal alone is the single-literal case.
        assert_eq!(exact_lits("i'm {name}"), None);
        assert_eq!(exact_lits("hello"), None);
    }

    /// Exact sets, hit where their regex would and nowhere else: inside words, at the
    /// ends of turns, next to each other, with every separator.
    #[test]
    fn exact_sets_find_what_their_regex_finds() {
        let src = |t: &str| PhraseSrc {
            text: t.to_string(),
            line: 1,
            column: 1,
            file: None,
        };
        let mut bb = BookBuilder::new(PhraseEnv::default());
        bb.add(
            "sets",
            &[src("(good)?bye"), src("thank you"), src("in a meeting")],
            false,
        )
        .unwrap();
        bb.add(
            "other",
            &[
                src("bye( bye)?"),
                src("my name( is)?"),
                src("(ab cd|cd ef)"),
            ],
            false,
        )
        .unwrap();
        let b = bb.build().unwrap();
        let texts: Vec<String> = [
            "goodbye bye good-bye byebye xbye bye!",
            "thank you, thank-you thank youth thank: you thank; you. thank,you",
            "she's in a meeting in-a-meeting in a meetings. in, a meeting",
            "bye bye bye my name is my name",
            "ab cd ef cd ef",
            "bye",
            "thank you",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        // The sets (patterns 0 to 2) are checked by the scan alone: no run of them, where
        // the others (3 to 5) have runs.
        let turns: Vec<Turn> = texts
            .iter()
            .enumerate()
            .map(|(i, t)| Turn {
                index: i,
                speaker: "A".into(),
                role: Default::default(),
                text: t.clone(),
                line: i + 1,
                start: None,
                end: None,
                segments: vec![],
            })
            .collect();
        let scan = b.scan(&Folded::new(&turns));
        let ran: std::collections::BTreeSet<u32> = scan.runs.iter().map(|r| r.2).collect();
        assert_eq!(ran.into_iter().collect::<Vec<_>>(), vec![3, 4, 5]);
        let found = check_pass_equals_regex(&b, &texts);
        assert!(found >= 15, "{found}");
    }

    /// `reversed` reads a pattern backwards (a whole text matches exactly when the text
    /// read backwards matches the reversed pattern, assertions included), `Prog::ends`
    /// finds every way a match can end, and `Prog::find_at` finds `find_iter`'s matches
    /// when given every place one can start.
    #[test]
    fn reversed_patterns_every_end_and_given_starts() {
        use crate::backtrack::{reversed, Prog};
        let parse = |src: &str| regex_syntax::Parser::new().parse(src).unwrap();
        let whole = |src: &str| Regex::new(&format!("^(?:{src})$")).unwrap();
        let cases = [
            (
                r"(?-u:\b)the (?:new )?manager(?:, [a-z ]+,)? will",
                "the manager, steve, will",
            ),
            (
                r"(?-u:\b)the (?:new )?manager(?:, [a-z ]+,)? will",
                "the new manager will",
            ),
            (r"(?-u:\b)(?:he|[a-z]+'s) émile(?-u:\b)", "he émile"),
            (r"(?-u:\b)(?:he|[a-z]+'s) émile(?-u:\b)", "bob's émile"),
            (
                r"(?m)^(?:hi|hello),? sarah(?-u:\b{end-half})",
                "hello, sarah",
            ),
        ];
        for (src, text) in cases {
            let rev = reversed(&parse(src)).unwrap();
            let back: String = text.chars().rev().collect();
            assert!(whole(src).is_match(text), "{src} on {text:?}");
            assert!(whole(&rev.to_string()).is_match(&back), "{rev} on {back:?}");
            // A text the pattern does not match whole: nor does the reversed one.
            let near = format!("{text}x");
            let near_back: String = near.chars().rev().collect();
            assert!(!whole(src).is_match(&near));
            assert!(
                !whole(&rev.to_string()).is_match(&near_back),
                "{rev} on {near_back:?}"
            );
        }
        // Every way through `a(?:b|bc)?c?` from 0 in "abcc": a, ab, abc (two ways), abcc.
        let p = Prog::new(&parse("a(?:b|bc)?c?")).unwrap();
        let mut ends = Vec::new();
        p.ends(b"abcc", 0, &mut ends).unwrap();
        ends.sort_unstable();
        ends.dedup();
        assert_eq!(ends, vec![1, 2, 3, 4]);
        // Given every start, `find_at` is `find_iter`; given a start where none begins, it
        // finds nothing there.
        let p = Prog::new(&parse(r"(?-u:\b)(?:ab|b)c")).unwrap();
        let hay = b"abc bc abc";
        let mut all = Vec::new();
        p.find_iter(hay, 0, hay.len(), |m| {
            all.push((m.start, m.end));
            true
        })
        .unwrap();
        assert_eq!(all, vec![(0, 3), (4, 6), (7, 10)]);
        let starts: Vec<usize> = (0..=hay.len()).collect();
        let mut given = Vec::new();
        p.find_at(hay, &starts, |m| {
            given.push((m.start, m.end));
            true
        })
        .unwrap();
        assert_eq!(given, all);
        let mut some = Vec::new();
        p.find_at(hay, &[1, 4], |m| {
            some.push((m.start, m.end));
            true
        })
        .unwrap();
        assert_eq!(some, vec![(4, 6)]);
    }

    #[test]
    fn spaces_bound_where_a_match_can_start() {
        let hay = b"one two three four";
        assert_eq!(after_spaces_before(hay, 14, 0), 14);
        assert_eq!(after_spaces_before(hay, 14, 1), 8);
        assert_eq!(after_spaces_before(hay, 14, 2), 4);
        assert_eq!(after_spaces_before(hay, 14, 3), 0);
        assert_eq!(after_spaces_before(hay, 14, usize::MAX), 0);
    }

    #[test]
    fn backtracker_gives_up_on_a_runaway_search() {
        // Nested repetitions over a long run: more steps than the budget allows.
        let hir = regex_syntax::Parser::new().parse("(?:a+b?)+c").unwrap();
        let prog = crate::backtrack::Prog::new(&hir).unwrap();
        let hay = "a".repeat(5000);
        let r = prog.find_iter(hay.as_bytes(), 0, hay.len(), |_| true);
        assert_eq!(r, Err(crate::backtrack::Budget));
    }

    /// For every built-in pattern with a [`before_trigger`] program: every place its
    /// regex finds a match starting is among the starts [`starts_before`] finds from the
    /// places the match's trigger part can begin (here: every offset of the turn), so
    /// running only from those starts misses no match. On seeded random turns, with
    /// names and non-ASCII text, and checked to cover matches and the wide patterns.
    #[test]
    fn reversed_beginnings_find_every_start() {
        let rs = crate::Ruleset::builtin().unwrap();
        let b = &rs.book;
        let wide: Vec<usize> = (0..b.pats.len())
            .filter(|&p| b.before[p].is_some())
            .collect();
        assert!(!wide.is_empty(), "the third-party promise has one");
        let mut texts = random_texts(b, 600);
        texts.extend([
            "and the new manager, steve, will ring you first thing tomorrow".to_string(),
            "ok so sarah's on her way now and she'll be with you by ten".to_string(),
            "you'll see émile will call you back, i'm sure".to_string(),
        ]);
        let mut matched = 0;
        for t in &texts {
            let text = t.replace("sarah", "Sarah").to_lowercase();
            let all: Vec<usize> = (0..=text.len())
                .filter(|&i| text.is_char_boundary(i))
                .collect();
            for &p in &wide {
                let head = b.before[p].as_ref().unwrap();
                let Some(starts) = starts_before(head, &text, &all) else {
                    continue;
                };
                for m in b.pats[p].re().find_iter(&text) {
                    matched += 1;
                    assert!(
                        starts.binary_search(&m.start()).is_ok(),
                        "{} at {} in {text:?}: starts {starts:?}",
                        b.pats[p].src,
                        m.start()
                    );
                }
            }
        }
        assert!(matched > 50, "{matched} matches");
    }

    /// The anchor automaton's sample: lower-case words as folding leaves them, each once,
    /// a few hundred of them, made into the ~5 KB text its docs promise.
    #[test]
    fn common_words_are_folded_and_unique() {
        let words: Vec<&str> = COMMON_WORDS
            .lines()
            .filter(|l| !l.starts_with('#'))
            .flat_map(str::split_whitespace)
            .collect();
        assert!(words.len() > 500, "{} words", words.len());
        let mut seen = std::collections::HashSet::new();
        for w in &words {
            assert_eq!(crate::fold::fold_str(w), *w, "{w:?} is not folded");
            assert!(seen.insert(*w), "{w:?} twice");
        }
        let text = common_speech();
        assert!((4_000..8_000).contains(&text.len()), "{} bytes", text.len());
        assert!(text.starts_with(b"i you the to a "));
    }

    #[test]
    fn nearly_every_default_phrase_is_anchored() {
        let rs = crate::Ruleset::builtin().unwrap();
        let b = &rs.book;
        let always: Vec<&str> = b
            .list_always
            .iter()
            .flatten()
            .map(|&p| b.pats[p].src.as_str())
            .collect();
        assert!(always.len() <= 2, "unanchored: {always:?}");
    }
}
