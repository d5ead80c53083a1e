//! One pass over a transcript for all phrases of a ruleset.
//!
//! Every phrase of every list is one pattern of a single [`RegexSet`]. Scoring a
//! transcript runs the set once over the folded buffer (all turns, one per line) to learn
//! which phrases occur at all; only those phrases are then searched for their positions,
//! and each match is attributed to its turn by offset. Most phrases never occur in a given
//! call, so the cost is close to one scan of the text, whatever the number of rules.

use regex::{Regex, RegexBuilder, RegexSet, RegexSetBuilder};

use crate::fold::Folded;
use crate::phrase::{self, PhraseEnv};
use crate::transcript::Turn;

/// Compile-size bound for one phrase's regex, so no pack can make scoring slow.
pub const PHRASE_SIZE_LIMIT: usize = 2 * 1024 * 1024;
/// Compile-size bound for the set of all phrases.
pub const SET_SIZE_LIMIT: usize = 64 * 1024 * 1024;

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
}

#[derive(Debug, Clone)]
struct Pattern {
    list: usize,
    re: Regex,
    has_name: bool,
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
    lists: Vec<PhraseList>,
    pats: Vec<Pattern>,
    /// Set of the speech patterns; `set_index[i]` is the pattern of set entry `i`.
    set: RegexSet,
    set_index: Vec<usize>,
}

/// Builder for a [`PhraseBook`].
#[derive(Debug, Default)]
pub struct BookBuilder {
    env: PhraseEnv,
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
            let re = RegexBuilder::new(&src)
                .size_limit(PHRASE_SIZE_LIMIT)
                .build()
                .map_err(|e| err(regex_error(&e)))?;
            pats.push(self.pats.len());
            self.pats.push(Pattern {
                list: li,
                re,
                has_name: c.has_name,
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

    /// Compile the set. Fails only when the whole set is over the size bound.
    pub fn build(self) -> Result<PhraseBook, String> {
        let set_index: Vec<usize> = (0..self.pats.len())
            .filter(|&i| !self.lists[self.pats[i].list].events)
            .collect();
        let set = RegexSetBuilder::new(set_index.iter().map(|&i| &self.sources[i]))
            .size_limit(SET_SIZE_LIMIT)
            .build()
            .map_err(|e| regex_error(&e))?;
        Ok(PhraseBook {
            lists: self.lists,
            pats: self.pats,
            set,
            set_index,
        })
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

/// The phrases found in one transcript, by list, in text order.
#[derive(Debug, Clone, Default)]
pub struct Hits {
    by_list: Vec<Vec<Hit>>,
}

impl Hits {
    /// All hits of a list, in text order.
    pub fn of(&self, list: ListId) -> &[Hit] {
        self.by_list.get(list.0).map_or(&[], |v| v.as_slice())
    }

    /// Hits of a list within turn `turn`.
    pub fn in_turn(&self, list: ListId, turn: usize) -> impl Iterator<Item = &Hit> {
        self.of(list).iter().filter(move |h| h.turn == turn)
    }

    /// Hits of a list that overlap the folded range `[s, e)`.
    pub fn overlapping(&self, list: ListId, s: usize, e: usize) -> impl Iterator<Item = &Hit> {
        self.of(list)
            .iter()
            .filter(move |h| h.start < e && s < h.end)
    }
}

impl PhraseBook {
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

    /// Find every speech phrase in a folded transcript.
    pub fn find(&self, folded: &Folded, turns: &[Turn]) -> Hits {
        let mut by_list: Vec<Vec<Hit>> = vec![Vec::new(); self.lists.len()];
        let buf = folded.buf.as_str();
        for si in self.set.matches(buf).iter() {
            let pi = self.set_index[si];
            let pat = &self.pats[pi];
            let out = &mut by_list[pat.list];
            if pat.has_name {
                for caps in pat.re.captures_iter(buf) {
                    let Some(m) = caps.get(0) else { continue };
                    let turn = folded.turn_at(m.start());
                    // When the name group took no part (another alternative matched), there is
                    // no name to check.
                    let ok = caps
                        .name("name")
                        .is_none_or(|n| name_ok(folded, &turns[turn], n.start(), n.as_str()));
                    if ok {
                        out.push(Hit {
                            turn,
                            start: m.start(),
                            end: m.end(),
                        });
                    }
                }
            } else {
                for m in pat.re.find_iter(buf) {
                    if m.start() == m.end() {
                        continue;
                    }
                    out.push(Hit {
                        turn: folded.turn_at(m.start()),
                        start: m.start(),
                        end: m.end(),
                    });
                }
            }
        }
        for v in &mut by_list {
            if v.len() > 1 {
                v.sort_by_key(|h| (h.start, h.end));
                v.dedup();
            }
        }
        Hits { by_list }
    }

    /// True when any phrase of `list` occurs in `text` (folded already).
    pub fn is_match(&self, list: ListId, text: &str) -> bool {
        self.lists[list.0]
            .pats
            .iter()
            .any(|&p| self.pats[p].re.is_match(text))
    }

    /// The first match of `list` in `text` (folded already), as a byte range.
    pub fn find_in(&self, list: ListId, text: &str) -> Option<(usize, usize)> {
        self.lists[list.0]
            .pats
            .iter()
            .filter_map(|&p| self.pats[p].re.find(text))
            .map(|m| (m.start(), m.end()))
            .min()
    }
}

/// Is the word at folded offset `at` plausibly a person's or organisation's name?
fn name_ok(folded: &Folded, turn: &Turn, at: usize, word: &str) -> bool {
    let w = word.trim_end_matches(['\'', '-']);
    if w.chars().count() < 2 || phrase::is_common_word(w) {
        return false;
    }
    if w.ends_with("ing") || w.ends_with("ly") {
        return false;
    }
    // In a transcript written with capitals, a name is capitalised.
    let text = &turn.text;
    let cased = text.chars().any(char::is_uppercase) && text.chars().any(char::is_lowercase);
    if !cased {
        return true;
    }
    let (s, _) = folded.to_original(text, at, at + 1);
    text.get(s..)
        .and_then(|r| r.chars().next())
        .is_some_and(|c| c.is_uppercase() || !c.is_alphabetic())
}
