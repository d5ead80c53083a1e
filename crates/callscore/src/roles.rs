//! Who is the agent?
//!
//! In order: an explicit list from the caller (`option`), the transcript's `# agent:`
//! header (`header`), roles given by the source file (`file`), speaker names
//! (`name`: Agent, Rep, Advisor, Operator, Receptionist, Staff, Trainee...; or, when some
//! speakers are named Customer / Caller / Client and the others are not, the others), and
//! last `inference`: the speaker with the strongest signs of speaking for an organisation
//! ("thank you for calling", "you've reached", "how can I help" count double; "calling
//! from", "Jo speaking", "Jo from Acme" once), ties going to who spoke first; with no sign
//! at all, the first speaker. Names compare case-insensitively.

use crate::error::{Error, Result};
use crate::fold::fold_str;
use crate::fold::Folded;
use crate::matcher::{ListId, PhraseBook, Scan};
use crate::transcript::{AgentBy, AgentInfo, Role, Transcript};

/// The phrase lists role assignment reads.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RoleLists {
    pub agent_names: ListId,
    pub customer_names: ListId,
    pub service: ListId,
    pub org: ListId,
}

fn same(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim()) || a.trim().to_lowercase() == b.trim().to_lowercase()
}

/// Whether a speaker name reads as an agent's (`Agent`, `Rep`...) and as a customer's
/// (`Customer`, `Caller`...). Remembered per thread and phrase book, since the same few
/// names head every transcript of a batch.
fn name_kind(book: &PhraseBook, lists: &RoleLists, speaker: &str) -> (bool, bool) {
    use std::cell::RefCell;
    use std::collections::HashMap;
    /// The book the memo is for, and speaker -> kinds (looked up without allocating).
    type Memo = (u64, HashMap<String, (bool, bool), NameHash>);
    thread_local! {
        static SEEN: RefCell<Memo> = RefCell::new((u64::MAX, HashMap::default()));
    }
    let compute = || {
        let f = fold_str(speaker);
        (
            book.is_match(lists.agent_names, &f),
            book.is_match(lists.customer_names, &f),
        )
    };
    SEEN.with(|seen| {
        let mut seen = seen.borrow_mut();
        let (id, map) = &mut *seen;
        // One book at a time (a batch scores with one ruleset); a bounded memo.
        if *id != book.id() || map.len() >= 1024 {
            *id = book.id();
            map.clear();
        }
        if let Some(&k) = map.get(speaker) {
            return k;
        }
        let k = compute();
        if speaker.len() <= 64 {
            map.insert(speaker.to_string(), k);
        }
        k
    })
}

/// The hasher of [`name_kind`]'s memo: a multiply-rotate hash eight bytes at a time (as
/// `rustc`'s `FxHasher`), where the standard SipHash cost ~150 instructions for a name
/// looked up twice a call. Names come from the input, so a crafted batch could make them
/// collide; the memo holds at most 1,024 names, which bounds what that costs.
#[derive(Default)]
struct NameHasher(u64);

impl std::hash::Hasher for NameHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word))
                .wrapping_mul(0x517c_c1b7_2722_0a95);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// Builds [`NameHasher`]s.
type NameHash = std::hash::BuildHasherDefault<NameHasher>;

/// Assign roles to every turn and record who the agent is.
pub(crate) fn assign(
    t: &mut Transcript,
    agents: &[String],
    book: &PhraseBook,
    lists: &RoleLists,
    folded: &Folded,
    scan: &mut Option<Scan>,
) -> Result<()> {
    if t.turns.is_empty() {
        let hint = if !t.warnings.is_empty() {
            "no line has the form `Speaker: words`"
        } else if t.events.is_empty()
            && t.header_agents.is_none()
            && t.orgs.is_empty()
            && t.title.is_none()
        {
            "the input is empty"
        } else {
            "it has only headers, comments and events"
        };
        return Err(Error::NoSpeech {
            hint: Some(hint.to_string()),
        });
    }
    if t.agent.as_ref().is_some_and(|a| a.by == AgentBy::File) && agents.is_empty() {
        return Ok(()); // roles came with the file
    }
    // The distinct speakers, borrowed (only the chosen names are copied, into the
    // report's agent info; the rest of a call's names are never copied).
    let (chosen, by) = {
        let speakers = t.speaker_names();
        // The names asked for (by the caller or the header), among the speakers: at least
        // one must speak.
        let pick = |names: &[String], by: &str, line: Option<usize>| -> Result<Vec<String>> {
            let chosen: Vec<String> = speakers
                .iter()
                .filter(|s| names.iter().any(|n| same(n, s)))
                .map(|s| s.to_string())
                .collect();
            if chosen.is_empty() {
                return Err(Error::AgentNotFound {
                    names: names.to_vec(),
                    by: by.into(),
                    speakers: speakers.iter().map(|s| s.to_string()).collect(),
                    line,
                });
            }
            Ok(chosen)
        };
        if !agents.is_empty() {
            (pick(agents, "given as an option", None)?, AgentBy::Option)
        } else if let Some((names, line)) = &t.header_agents {
            let by = "named in the `# agent:` header";
            (pick(names, by, Some(*line))?, AgentBy::Header)
        } else {
            let kinds: Vec<(bool, bool)> =
                speakers.iter().map(|s| name_kind(book, lists, s)).collect();
            let with = |want: fn((bool, bool)) -> bool| -> Vec<String> {
                speakers
                    .iter()
                    .zip(&kinds)
                    .filter(|&(_, &k)| want(k))
                    .map(|(s, _)| s.to_string())
                    .collect()
            };
            let customer = |k: &(bool, bool)| k.1;
            if kinds.iter().any(|k| k.0) {
                (with(|k| k.0), AgentBy::Name)
            } else if kinds.iter().any(customer) && !kinds.iter().all(customer) {
                (with(|k| !k.1), AgentBy::Name)
            } else {
                // Only inference reads the phrases: the whole scan is made here, and
                // kept (the caller scans with the roles known otherwise).
                let scan = scan.get_or_insert_with(|| book.scan(folded));
                (
                    vec![infer(t, &speakers, book, lists, folded, scan)],
                    AgentBy::Inference,
                )
            }
        }
    };
    for turn in &mut t.turns {
        turn.role = if chosen.contains(&turn.speaker) {
            Role::Agent
        } else {
            Role::Customer
        };
    }
    t.agent = Some(AgentInfo {
        speakers: chosen,
        by,
    });
    Ok(())
}

/// The speaker with the most signs of speaking for an organisation; else the first.
fn infer(
    t: &Transcript,
    speakers: &[&str],
    book: &PhraseBook,
    lists: &RoleLists,
    folded: &Folded,
    scan: &Scan,
) -> String {
    let hits = book.find(scan, folded, &t.turns);
    let mut score = vec![0u32; speakers.len()];
    let index: std::collections::HashMap<&str, usize> =
        speakers.iter().enumerate().map(|(k, s)| (*s, k)).collect();
    for (list, w) in [(lists.service, 2), (lists.org, 1)] {
        for h in hits.of(list) {
            if let Some(&k) = index.get(t.turns[h.turn].speaker.as_str()) {
                score[k] += w;
            }
        }
    }
    let mut best = 0;
    for k in 1..speakers.len() {
        if score[k] > score[best] {
            best = k;
        }
    }
    speakers[best].to_string()
}
