//! A small backtracking matcher for phrase patterns, run at the anchor hits.
//!
//! The matcher ([`crate::matcher`]) knows, from one Aho-Corasick pass, which patterns can
//! occur in which turn. Confirming a candidate with the pattern's `regex::Regex` costs
//! about a microsecond: the regex crate sets up a search, and each of several hundred
//! patterns has its own lazy DFA whose states are cold in the CPU's caches by the time
//! the pattern is next needed. Phrase patterns are tiny (a few literals, separators,
//! optional parts, one placeholder), and a candidate turn is short, so a backtracker that
//! walks the pattern's syntax tree directly is much cheaper: most start positions fail on
//! their first byte.
//!
//! It reproduces the regex crate's *leftmost-first* semantics exactly (the preference
//! order of a backtracking engine: alternatives in order, greedy repetitions longest
//! first) for the subset of syntax phrase patterns use. A pattern outside that subset
//! (Unicode word boundaries, repetitions of something that can match empty) gets no
//! program and runs with its regex, and a search that exceeds a step or depth budget
//! reports [`Budget`] so the caller falls back to the regex: the result is always the
//! regex's, only cheaper. Tests compare the two for every built-in pattern on 1,500
//! seeded texts, and the whole phrase pass with every regex run on every turn.
//!
//! Unicode classes: translating `\p{L}` is most of the cost of parsing a phrase, so
//! patterns are parsed with stand-in characters for `\p{L}`, `\p{M}` and `\p{N}` (see
//! [`sentinel_classes`]), and the real tables are built once, on first use.

use std::sync::OnceLock;

use regex_syntax::hir::{Class as HirClass, Hir, HirKind, Look as HirLook};

/// The steps a search may take before it gives up to the regex: this many, plus
/// [`STEPS_PER_BYTE`] for each byte of the range it searches (so the backtracker is never
/// much slower than the regex's linear scan, whatever the pattern and the text).
const STEP_BUDGET: u64 = 20_000;
/// See [`STEP_BUDGET`].
const STEPS_PER_BYTE: u64 = 32;
/// The deepest recursion one search may use before it gives up to the regex.
const DEPTH_BUDGET: u32 = 400;

/// A search ran out of budget: use the regex instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget;

/// Stand-in code points (private use) for the three Unicode categories placeholders use.
/// Each is a sixteen-character range, so that the parser keeps it a class (a
/// one-character class would become a literal) and literal extraction treats it as the
/// large class it stands for.
const SENTINELS: [(char, char, u8); 3] = [
    ('\u{E000}', '\u{E00F}', L),
    ('\u{E010}', '\u{E01F}', M),
    ('\u{E020}', '\u{E02F}', N),
];
/// The first and last stand-in code points.
const SENTINEL_SPAN: (char, char) = ('\u{E000}', '\u{E02F}');
const L: u8 = 1;
const M: u8 = 2;
const N: u8 = 4;

/// Replace `\p{L}`, `\p{M}` and `\p{N}` by stand-in classes, when that is safe (no negated
/// class or property anywhere in the source, where a stand-in would invert wrongly).
/// Returns `None` when the source must be parsed as it is.
pub fn sentinel_classes(src: &str) -> Option<String> {
    if src.contains("\\P") || src.contains("[^") || src.contains("{^") {
        return None;
    }
    Some(
        src.replace("\\p{L}", "[\\x{E000}-\\x{E00F}]")
            .replace("\\p{M}", "[\\x{E010}-\\x{E01F}]")
            .replace("\\p{N}", "[\\x{E020}-\\x{E02F}]"),
    )
}

/// The non-ASCII ranges of `\p{L}`, `\p{M}` and `\p{N}`, built on first use.
fn category_ranges(set: u8) -> &'static [(char, char)] {
    static TABLES: OnceLock<[Vec<(char, char)>; 3]> = OnceLock::new();
    let t = TABLES.get_or_init(|| {
        let ranges = |p: &str| -> Vec<(char, char)> {
            match regex_syntax::Parser::new().parse(p).map(|h| h.into_kind()) {
                Ok(HirKind::Class(HirClass::Unicode(c))) => c
                    .ranges()
                    .iter()
                    .filter(|r| r.end() >= '\u{80}')
                    .map(|r| (r.start().max('\u{80}'), r.end()))
                    .collect(),
                _ => Vec::new(),
            }
        };
        [ranges(r"\p{L}"), ranges(r"\p{M}"), ranges(r"\p{N}")]
    });
    match set {
        L => &t[0],
        M => &t[1],
        _ => &t[2],
    }
}

/// Whether byte `b` is in the 256-bit set `set`.
#[inline]
fn in_set(set: &[u64; 4], b: u8) -> bool {
    set[(b / 64) as usize] >> (b % 64) & 1 == 1
}

/// Whether `hay` holds the literal `lit` at `pos` (short literals: a plain loop beats a
/// call to memcmp).
#[inline]
fn lit_at(hay: &[u8], pos: usize, lit: &[u8]) -> bool {
    hay.get(pos..pos + lit.len())
        .is_some_and(|h| h.iter().zip(lit).all(|(a, b)| a == b))
}

/// Match a literal, a class or an assertion (the nodes with one way through and nothing
/// inside) at `pos`: where it ends, or `None` (also for any other node).
#[inline(always)]
fn straight(p: &Prog, hay: &[u8], node: &Node, pos: usize) -> Option<usize> {
    match node {
        Node::Lit(l) => lit_at(hay, pos, l).then_some(pos + l.len()),
        Node::Class(c) => p.classes[*c as usize].step(hay, pos),
        Node::Look(l) => l.holds(hay, pos).then_some(pos),
        _ => None,
    }
}

fn in_ranges(ranges: &[(char, char)], c: char) -> bool {
    let i = ranges.partition_point(|&(_, e)| e < c);
    ranges.get(i).is_some_and(|&(s, _)| s <= c)
}

/// A set of characters (or of bytes, for a byte class).
#[derive(Debug, Clone)]
struct Class {
    /// ASCII members, as a bitmap.
    ascii: u128,
    /// Non-ASCII members given explicitly (sorted, disjoint).
    ranges: Box<[(char, char)]>,
    /// Unicode categories (`L`, `M`, `N` bits) whose non-ASCII members also belong.
    sets: u8,
    /// A byte class: matches one byte, not one character.
    bytes: bool,
    /// The bytes a member can start with.
    start: [u64; 4],
}

impl Class {
    /// The longest run of at most `max` members from `pos`: where it ends, and how many
    /// members it has.
    #[inline]
    fn longest_run(&self, hay: &[u8], mut pos: usize, max: u32) -> (usize, u32) {
        let mut n = 0;
        while n < max {
            match self.step(hay, pos) {
                Some(np) => pos = np,
                None => break,
            }
            n += 1;
        }
        (pos, n)
    }

    /// Match one member at `pos`: the position after it.
    #[inline]
    fn step(&self, hay: &[u8], pos: usize) -> Option<usize> {
        let b = *hay.get(pos)?;
        if b < 0x80 || self.bytes {
            // One byte: membership is the start test (the table of it: `may_start` tests
            // a 128-bit map, several instructions, on every byte of a run).
            return in_set(&self.start, b).then_some(pos + 1);
        }
        let (c, len) = decode(hay, pos)?;
        let ok = in_ranges(&self.ranges, c)
            || [L, M, N]
                .into_iter()
                .any(|bit| self.sets & bit != 0 && in_ranges(category_ranges(bit), c));
        ok.then_some(pos + len)
    }

    /// Can a member start with byte `b`?
    fn may_start(&self, b: u8) -> bool {
        if b < 0x80 {
            return self.ascii >> b & 1 == 1;
        }
        if self.bytes {
            return self
                .ranges
                .iter()
                .any(|&(s, e)| (s as u32..=e as u32).contains(&u32::from(b)));
        }
        // A lead byte of a multi-byte character, if the class has any non-ASCII member.
        (0xC2..=0xF4).contains(&b) && (!self.ranges.is_empty() || self.sets != 0)
    }
}

/// Decode the UTF-8 character at `pos`.
#[inline]
fn decode(hay: &[u8], pos: usize) -> Option<(char, usize)> {
    let b = *hay.get(pos)?;
    let len = match b {
        0x00..=0x7F => 1,
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF7 => 4,
        _ => return None,
    };
    let s = std::str::from_utf8(hay.get(pos..pos + len)?).ok()?;
    s.chars().next().map(|c| (c, len))
}

/// An ASCII word byte, as the regex crate's ASCII `\b` sees it.
pub(crate) fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The zero-width assertions phrase patterns use (ASCII word boundaries, line anchors).
#[derive(Debug, Clone, Copy)]
enum Look {
    Start,
    End,
    StartLf,
    EndLf,
    Word,
    NotWord,
    WordStart,
    WordEnd,
    WordStartHalf,
    WordEndHalf,
}

impl Look {
    fn from_hir(l: HirLook) -> Option<Look> {
        Some(match l {
            HirLook::Start => Look::Start,
            HirLook::End => Look::End,
            HirLook::StartLF => Look::StartLf,
            HirLook::EndLF => Look::EndLf,
            HirLook::WordAscii => Look::Word,
            HirLook::WordAsciiNegate => Look::NotWord,
            HirLook::WordStartAscii => Look::WordStart,
            HirLook::WordEndAscii => Look::WordEnd,
            HirLook::WordStartHalfAscii => Look::WordStartHalf,
            HirLook::WordEndHalfAscii => Look::WordEndHalf,
            _ => return None,
        })
    }

    #[inline(always)]
    fn holds(self, hay: &[u8], pos: usize) -> bool {
        let before = pos > 0 && is_word_byte(hay[pos - 1]);
        let after = hay.get(pos).is_some_and(|&b| is_word_byte(b));
        match self {
            Look::Start => pos == 0,
            Look::End => pos == hay.len(),
            Look::StartLf => pos == 0 || hay[pos - 1] == b'\n',
            Look::EndLf => pos == hay.len() || hay[pos] == b'\n',
            Look::Word => before != after,
            Look::NotWord => before == after,
            Look::WordStart => !before && after,
            Look::WordEnd => before && !after,
            Look::WordStartHalf => !before,
            Look::WordEndHalf => !after,
        }
    }
}

/// One element of a sequence.
#[derive(Debug, Clone)]
enum Node {
    Lit(Box<[u8]>),
    Class(u32),
    /// A repetition of one class member; `follow` indexes the set of bytes that can
    /// start what comes after it in its sequence (`u32::MAX`: not known, any).
    ClassRep {
        class: u32,
        min: u32,
        max: u32,
        greedy: bool,
        follow: u32,
    },
    Look(Look),
    /// Alternatives (an index into `Prog::alts`).
    Alt(u32),
    /// The group named `name`, whose span is reported.
    Group {
        seq: u32,
    },
    /// A repetition of a sequence that cannot match empty.
    Rep {
        seq: u32,
        min: u32,
        max: u32,
        greedy: bool,
    },
}

/// Alternatives of more branches than this get a table of the branches each byte can
/// start (see [`Alt`]).
const SMALL_ALT: usize = 4;

/// Alternatives, in order of preference, with the branches that can start with each byte
/// (so that a list of a hundred words costs one lookup, not a hundred tests; a list of
/// [`SMALL_ALT`] or fewer has no table, and its branches are tested in turn).
#[derive(Debug, Clone)]
struct Alt {
    branches: Box<[u32]>,
    /// `list[offsets[b]..offsets[b + 1]]`: the branches that may start with byte `b` (both
    /// empty for a small alternation).
    offsets: Box<[u32]>,
    list: Box<[u32]>,
}

/// A pattern compiled for the backtracker.
#[derive(Debug, Clone)]
pub struct Prog {
    seqs: Vec<Vec<Node>>,
    alts: Vec<Alt>,
    classes: Vec<Class>,
    /// For each sequence, the bytes a match of it can start with.
    first: Vec<[u64; 4]>,
    /// Byte sets of what follows class repetitions (see `Node::ClassRep`).
    follow: Vec<[u64; 4]>,
    /// For each `follow` set: no member of the repeated class can start with a byte of
    /// it. Giving back members of a greedy run then never helps (the byte after any
    /// shorter run starts a member, so it cannot start what follows): only the longest
    /// run is tried (a "possessive" repetition, found by the compiler as PCRE does). In
    /// "(?: [a-z']+){0,3}? (?:call|...)" each word was given back a letter at a time:
    /// the third-party promise's check after "'ll" took 220 ns.
    possessive: Vec<bool>,
    /// For each sequence: it matches in at most one way at any position (literals,
    /// classes, assertions and possessive greedy class runs only), so a lazy repetition
    /// of it is tried in a loop, one iteration after another, not by recursion (see
    /// [`State::again`]). In the third-party promise's "(?: [a-z']+){0,3}? (?:call|...)"
    /// each word cost four nested calls.
    det: Vec<bool>,
    /// The longest match, in bytes (`usize::MAX`: unbounded).
    max_len: usize,
    /// The most spaces a match can hold (`usize::MAX`: unbounded).
    max_spaces: usize,
}

/// A match: its span and, when the pattern has a `name` group that took part, the
/// group's span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Match {
    /// Start byte offset.
    pub start: usize,
    /// End byte offset.
    pub end: usize,
    /// The `name` group's span.
    pub name: Option<(usize, usize)>,
}

impl Prog {
    /// Compile a pattern's syntax tree (as parsed from [`sentinel_classes`] output or the
    /// plain source). `None` when it uses syntax outside the subset.
    pub fn new(hir: &Hir) -> Option<Prog> {
        let mut p = Prog {
            seqs: vec![Vec::new()],
            alts: Vec::new(),
            classes: Vec::new(),
            first: Vec::new(),
            follow: Vec::new(),
            possessive: Vec::new(),
            det: Vec::new(),
            max_len: 0,
            max_spaces: 0,
        };
        let mut root = Vec::new();
        p.flatten(hir, &mut root)?;
        p.seqs[0] = root;
        // A sequence that can match empty lets whatever follows it start the match: its
        // set is then every byte (conservative).
        // Each sequence's own first bytes and whether it can match empty, parts before
        // wholes (the root, number 0, is filled in last).
        // (Not yet done reads as every byte and nullable: the safe side.)
        let mut raw = vec![([u64::MAX; 4], true); p.seqs.len()];
        for q in (1..p.seqs.len()).chain(std::iter::once(0)) {
            let mut set = [0u64; 4];
            let nullable = p.first_of(q as u32, 0, &mut set, &raw);
            raw[q] = (set, nullable);
        }
        // A sequence that can match empty lets whatever follows it start the match: its
        // set is then every byte (conservative).
        p.first = raw
            .iter()
            .map(|&(set, nullable)| if nullable { [u64::MAX; 4] } else { set })
            .collect();
        // What can follow the end of each sequence, through the sequences it sits in:
        // parents before their parts (the root first, then by falling number).
        let mut end_follow = vec![[u64::MAX; 4]; p.seqs.len()];
        for q in std::iter::once(0).chain((1..p.seqs.len()).rev()) {
            for i in 0..p.seqs[q].len() {
                let after = p.follow_of(q as u32, i + 1, &raw, &end_follow);
                let subs: Vec<(u32, bool)> = match &p.seqs[q][i] {
                    Node::Alt(a) => p.alts[*a as usize]
                        .branches
                        .iter()
                        .map(|&b| (b, false))
                        .collect(),
                    Node::Group { seq } => vec![(*seq, false)],
                    Node::Rep { seq, .. } => vec![(*seq, true)],
                    _ => Vec::new(),
                };
                for (g, rep) in subs {
                    let mut f = after;
                    if rep {
                        // Another iteration may follow an iteration.
                        for (a, b) in f.iter_mut().zip(&raw[g as usize].0) {
                            *a |= b;
                        }
                    }
                    end_follow[g as usize] = f;
                }
            }
        }
        for q in 0..p.seqs.len() {
            for i in 0..p.seqs[q].len() {
                if let Node::ClassRep { .. } = p.seqs[q][i] {
                    let set = p.follow_of(q as u32, i + 1, &raw, &end_follow);
                    if set.iter().any(|&w| w != u64::MAX) {
                        p.follow.push(set);
                        if let Node::ClassRep { follow, class, .. } = &mut p.seqs[q][i] {
                            *follow = (p.follow.len() - 1) as u32;
                            let start = p.classes.get(*class as usize).map(|c| c.start);
                            let disjoint = start.is_some_and(|start| {
                                start.iter().zip(&set).all(|(a, b)| a & b == 0)
                            });
                            p.possessive.push(disjoint);
                        }
                    }
                }
            }
        }
        p.det = p
            .seqs
            .iter()
            .map(|nodes| {
                nodes.iter().all(|n| match n {
                    Node::Lit(_) | Node::Class(_) | Node::Look(_) => true,
                    Node::ClassRep { greedy, follow, .. } => {
                        *greedy && p.possessive.get(*follow as usize) == Some(&true)
                    }
                    _ => false,
                })
            })
            .collect();
        p.max_len = p.seq_max(0, 0, false);
        p.max_spaces = p.seq_max(0, 0, true);
        for a in 0..p.alts.len() {
            // A few branches are tried in turn (each one's first-byte set is one test);
            // only a longer list gets a table (1 KB: most alternations are two to four
            // words, and tables for them were a megabyte of the default rubric).
            if p.alts[a].branches.len() <= SMALL_ALT {
                continue;
            }
            // Per byte, the branches (in order) whose first-byte set holds it.
            let mut count = [0u32; 256];
            for &q in p.alts[a].branches.iter() {
                for_each_bit(&p.first[q as usize], |b| count[b] += 1);
            }
            let mut offsets = Vec::with_capacity(257);
            let mut total = 0u32;
            for c in count {
                offsets.push(total);
                total += c;
            }
            offsets.push(total);
            let mut fill: Vec<u32> = offsets[..256].to_vec();
            let mut list = vec![0u32; total as usize];
            for &q in p.alts[a].branches.iter() {
                for_each_bit(&p.first[q as usize], |b| {
                    list[fill[b] as usize] = q;
                    fill[b] += 1;
                });
            }
            p.alts[a].offsets = offsets.into_boxed_slice();
            p.alts[a].list = list.into_boxed_slice();
        }
        Some(p)
    }

    /// The bytes that can come next at `seqs[seq][idx]`: the first bytes of the rest of
    /// the sequence and, when that rest can match empty, of what follows the sequence
    /// (`end_follow`); every byte when the match can end there.
    fn follow_of(
        &self,
        seq: u32,
        idx: usize,
        raw: &[([u64; 4], bool)],
        end_follow: &[[u64; 4]],
    ) -> [u64; 4] {
        let mut set = [0u64; 4];
        if self.first_of(seq, idx, &mut set, raw) {
            for (a, b) in set.iter_mut().zip(&end_follow[seq as usize]) {
                *a |= b;
            }
        }
        set
    }

    /// The longest match of `seqs[seq]`, in bytes, or (with `spaces`) the most space
    /// characters a match can hold (saturating: `usize::MAX` is unbounded).
    fn seq_max(&self, seq: u32, depth: u32, spaces: bool) -> usize {
        if depth > 64 {
            return usize::MAX;
        }
        let class_len = |c: u32| {
            let c = &self.classes[c as usize];
            if spaces {
                usize::from(c.ascii >> b' ' & 1 == 1)
            } else if c.bytes || (c.ranges.is_empty() && c.sets == 0) {
                1
            } else {
                4
            }
        };
        let times = |n: u32, each: usize| {
            if each == 0 {
                0
            } else if n == u32::MAX {
                usize::MAX
            } else {
                each.saturating_mul(n as usize)
            }
        };
        self.seqs[seq as usize]
            .iter()
            .map(|node| match node {
                Node::Lit(l) if spaces => l.iter().filter(|&&b| b == b' ').count(),
                Node::Lit(l) => l.len(),
                Node::Class(c) => class_len(*c),
                Node::ClassRep { class, max, .. } => times(*max, class_len(*class)),
                Node::Look(_) => 0,
                Node::Alt(a) => self.alts[*a as usize]
                    .branches
                    .iter()
                    .map(|&a| self.seq_max(a, depth + 1, spaces))
                    .max()
                    .unwrap_or(0),
                Node::Group { seq } => self.seq_max(*seq, depth + 1, spaces),
                Node::Rep { seq, max, .. } => times(*max, self.seq_max(*seq, depth + 1, spaces)),
            })
            .fold(0usize, usize::saturating_add)
    }

    /// The most spaces a match can hold (`usize::MAX` when unbounded). Folded text has
    /// single spaces between words, so this bounds how many words before an anchor hit a
    /// match can start.
    pub fn max_spaces(&self) -> usize {
        self.max_spaces
    }

    /// How many class repetitions are possessive (see `Prog::possessive`), for tests.
    #[cfg(test)]
    pub(crate) fn possessive_runs(&self) -> usize {
        self.possessive.iter().filter(|&&p| p).count()
    }

    /// How many lazy repetitions are tried in a loop (see `Prog::det`), for tests.
    #[cfg(test)]
    pub(crate) fn lazy_loops(&self) -> usize {
        self.seqs
            .iter()
            .flatten()
            .filter(
                |n| matches!(n, Node::Rep { seq, greedy: false, .. } if self.det[*seq as usize]),
            )
            .count()
    }

    /// The longest match, in bytes (`usize::MAX` when unbounded).
    pub fn max_len(&self) -> usize {
        self.max_len
    }

    fn class(&mut self, c: &HirClass) -> u32 {
        let class = match c {
            HirClass::Unicode(u) => {
                let mut ascii = 0u128;
                let mut ranges = Vec::new();
                let mut sets = 0u8;
                for r in u.ranges() {
                    let (s, e) = (r.start(), r.end());
                    for &(a, b, bit) in &SENTINELS {
                        if s <= a && b <= e {
                            sets |= bit;
                        }
                    }
                    for c in (s as u32)..=(e as u32).min(0x7F) {
                        ascii |= 1 << c;
                    }
                    // Clip out the ASCII part and the stand-ins.
                    let s = s.max('\u{80}');
                    if s > e {
                        continue;
                    }
                    let (lo, hi) = SENTINEL_SPAN;
                    if e < lo || s > hi {
                        ranges.push((s, e));
                    } else {
                        if s < lo {
                            ranges.push((s, '\u{D7FF}'));
                        }
                        if e > hi {
                            ranges.push(('\u{E030}', e));
                        }
                    }
                }
                if sets & L != 0 {
                    ascii |= ascii_range(b'a', b'z') | ascii_range(b'A', b'Z');
                }
                if sets & N != 0 {
                    ascii |= ascii_range(b'0', b'9');
                }
                ranges.retain(|&(s, e)| s <= e);
                Class {
                    ascii,
                    ranges: ranges.into_boxed_slice(),
                    sets,
                    bytes: false,
                    start: [0; 4],
                }
            }
            HirClass::Bytes(bc) => {
                let mut ascii = 0u128;
                let mut ranges = Vec::new();
                for r in bc.ranges() {
                    for b in r.start()..=r.end().min(0x7F) {
                        ascii |= 1 << b;
                    }
                    if r.end() >= 0x80 {
                        ranges.push((char::from(r.start().max(0x80)), char::from(r.end())));
                    }
                }
                Class {
                    ascii,
                    ranges: ranges.into_boxed_slice(),
                    sets: 0,
                    bytes: true,
                    start: [0; 4],
                }
            }
        };
        let mut class = class;
        for b in 0..=255u8 {
            if class.may_start(b) {
                class.start[(b / 64) as usize] |= 1 << (b % 64);
            }
        }
        self.classes.push(class);
        (self.classes.len() - 1) as u32
    }

    fn new_seq(&mut self, h: &Hir) -> Option<u32> {
        let mut v = Vec::new();
        self.flatten(h, &mut v)?;
        self.seqs.push(v);
        Some((self.seqs.len() - 1) as u32)
    }

    fn flatten(&mut self, h: &Hir, out: &mut Vec<Node>) -> Option<()> {
        match h.kind() {
            HirKind::Empty => {}
            HirKind::Literal(l) => match out.last_mut() {
                Some(Node::Lit(prev)) => {
                    let mut v = prev.to_vec();
                    v.extend_from_slice(&l.0);
                    *prev = v.into_boxed_slice();
                }
                _ => out.push(Node::Lit(l.0.clone())),
            },
            HirKind::Class(c) => {
                let id = self.class(c);
                out.push(Node::Class(id));
            }
            HirKind::Look(l) => out.push(Node::Look(Look::from_hir(*l)?)),
            HirKind::Repetition(r) => {
                let max = r.max.unwrap_or(u32::MAX);
                if let HirKind::Class(c) = r.sub.kind() {
                    let class = self.class(c);
                    out.push(Node::ClassRep {
                        class,
                        min: r.min,
                        max,
                        greedy: r.greedy,
                        follow: u32::MAX,
                    });
                } else if r.sub.properties().minimum_len().unwrap_or(0) == 0 {
                    // Empty iterations have engine-specific semantics: leave to the regex.
                    return None;
                } else {
                    let seq = self.new_seq(&r.sub)?;
                    out.push(Node::Rep {
                        seq,
                        min: r.min,
                        max,
                        greedy: r.greedy,
                    });
                }
            }
            HirKind::Capture(c) => {
                if c.name.as_deref() == Some("name") {
                    let seq = self.new_seq(&c.sub)?;
                    out.push(Node::Group { seq });
                } else {
                    self.flatten(&c.sub, out)?;
                }
            }
            HirKind::Concat(parts) => {
                for p in parts {
                    self.flatten(p, out)?;
                }
            }
            HirKind::Alternation(alts) => {
                let mut ids = Vec::with_capacity(alts.len());
                for a in alts {
                    ids.push(self.new_seq(a)?);
                }
                self.alts.push(Alt {
                    branches: ids.into_boxed_slice(),
                    offsets: Box::new([]),
                    list: Box::new([]),
                });
                out.push(Node::Alt((self.alts.len() - 1) as u32));
            }
        }
        Some(())
    }

    /// Add the bytes a match of `seqs[seq][idx..]` can start with to `set`. Returns true
    /// when that rest can match empty (so what follows it can start the match too). Uses
    /// `raw`, the sets of the sequences already done (a sequence's parts are numbered
    /// before it).
    fn first_of(&self, seq: u32, idx: usize, set: &mut [u64; 4], raw: &[([u64; 4], bool)]) -> bool {
        let or = |set: &mut [u64; 4], other: &[u64; 4]| {
            for (a, b) in set.iter_mut().zip(other) {
                *a |= b;
            }
        };
        for node in &self.seqs[seq as usize][idx..] {
            match node {
                Node::Lit(l) => {
                    if let Some(&b) = l.first() {
                        set[(b / 64) as usize] |= 1 << (b % 64);
                        return false;
                    }
                }
                Node::Class(c) => {
                    or(set, &self.classes[*c as usize].start);
                    return false;
                }
                Node::ClassRep { class, min, .. } => {
                    or(set, &self.classes[*class as usize].start);
                    if *min > 0 {
                        return false;
                    }
                }
                Node::Look(_) => {}
                Node::Alt(a) => {
                    let mut nullable = false;
                    for &b in self.alts[*a as usize].branches.iter() {
                        let Some((bs, n)) = raw.get(b as usize) else {
                            *set = [u64::MAX; 4];
                            return false;
                        };
                        or(set, bs);
                        nullable |= n;
                    }
                    if !nullable {
                        return false;
                    }
                }
                Node::Group { seq: g } | Node::Rep { seq: g, min: 0, .. } => {
                    let Some((bs, n)) = raw.get(*g as usize) else {
                        *set = [u64::MAX; 4];
                        return false;
                    };
                    or(set, bs);
                    let nullable = *n || matches!(node, Node::Rep { .. });
                    if !nullable {
                        return false;
                    }
                }
                Node::Rep { seq: g, .. } => {
                    let Some((bs, n)) = raw.get(*g as usize) else {
                        *set = [u64::MAX; 4];
                        return false;
                    };
                    or(set, bs);
                    if !n {
                        return false;
                    }
                }
            }
        }
        true
    }

    /// Can a match of `seqs[seq]` start with the byte at `pos`? (At the end of the text:
    /// only when the sequence may match empty, which its set then says by holding every
    /// byte.)
    #[inline]
    fn may_start(&self, seq: u32, hay: &[u8], pos: usize) -> bool {
        let set = &self.first[seq as usize];
        match hay.get(pos) {
            Some(&b) => in_set(set, b),
            None => set.iter().all(|&w| w == u64::MAX),
        }
    }

    /// The leftmost-first match in `hay`, as `Regex::find` would report it (an empty
    /// match, which phrase patterns cannot make, is not reported).
    pub fn find(&self, hay: &[u8]) -> Result<Option<Match>, Budget> {
        let mut first = None;
        self.find_iter(hay, 0, hay.len(), |m| {
            first = Some(m);
            false
        })?;
        Ok(first)
    }

    /// Whether the pattern matches at `pos`, anchored there (an empty match counts).
    pub fn matches_at(&self, hay: &[u8], pos: usize) -> Result<bool, Budget> {
        let mut st = State::new(hay, STEP_BUDGET, 0, None);
        Ok(st.seq(self, 0, 0, pos, None)?.is_some())
    }

    /// Every place an anchored match at `pos` can end, in no particular order and
    /// perhaps more than once, added to `out`: every way through the pattern is tried.
    /// (For a pattern that is another's beginning reversed, see [`reversed`], run over the
    /// text reversed: where the other's matches can start.)
    pub fn ends(&self, hay: &[u8], pos: usize, out: &mut Vec<usize>) -> Result<(), Budget> {
        let mut st = State::new(hay, STEP_BUDGET, 0, Some(out));
        st.seq(self, 0, 0, pos, None).map(|_| ())
    }

    /// [`Prog::find_iter`] for matches that can only start at `starts` (sorted): the same
    /// matches, when no match can start anywhere else in the range searched.
    pub fn find_at(
        &self,
        hay: &[u8],
        starts: &[usize],
        mut emit: impl FnMut(Match) -> bool,
    ) -> Result<(), Budget> {
        let budget = STEP_BUDGET + STEPS_PER_BYTE * starts.len() as u64;
        let mut used = 0u64;
        // Where the last match ended: the next starts there or after.
        let mut pos = 0;
        for &s in starts {
            // (Matches start on character boundaries.)
            if s < pos
                || !self.may_start(0, hay, s)
                || hay.get(s).is_some_and(|b| (0x80..0xC0).contains(b))
            {
                continue;
            }
            if let Some(m) = self.try_at(hay, s, budget, &mut used)? {
                let end = m.end;
                if !emit(m) {
                    break;
                }
                pos = end;
            }
        }
        Ok(())
    }

    /// One anchored search at `pos`, within a budget shared by a whole search (`used`:
    /// the steps taken so far): the match there, unless none or an empty one.
    #[inline(always)]
    fn try_at(
        &self,
        hay: &[u8],
        pos: usize,
        budget: u64,
        used: &mut u64,
    ) -> Result<Option<Match>, Budget> {
        let mut st = State::new(hay, budget, *used, None);
        let found = st.seq(self, 0, 0, pos, None)?;
        *used = st.steps;
        // On success the state holds the `name` group's span, if it took part.
        Ok(found.filter(|&end| end > pos).map(|end| Match {
            start: pos,
            end,
            name: st.cap,
        }))
    }

    /// Every leftmost-first match that starts in `[from, last_start]` (non-overlapping,
    /// each search resuming where the previous match ended), as `Regex::find_iter` over
    /// `hay` would report those matches, until `emit` returns false.
    pub fn find_iter(
        &self,
        hay: &[u8],
        from: usize,
        last_start: usize,
        mut emit: impl FnMut(Match) -> bool,
    ) -> Result<(), Budget> {
        let mut pos = from;
        let last = last_start.min(hay.len());
        // Most patterns open with a word boundary: test it before setting up a search.
        let lead = match self.seqs[0].first() {
            Some(Node::Look(l)) => Some(*l),
            _ => None,
        };
        // One budget for the whole search, shared by every start position.
        let budget = STEP_BUDGET + STEPS_PER_BYTE * (last.saturating_sub(from) as u64 + 1);
        let mut used = 0u64;
        while pos <= last {
            if !self.may_start(0, hay, pos) || lead.is_some_and(|l| !l.holds(hay, pos)) {
                pos += 1;
                continue;
            }
            // Matches start on character boundaries.
            if pos < hay.len() && (0x80..0xC0).contains(&hay[pos]) {
                pos += 1;
                continue;
            }
            let mut st = State::new(hay, budget, used, None);
            let found = st.seq(self, 0, 0, pos, None)?;
            used = st.steps;
            match found {
                Some(end) if end > pos => {
                    // On success the state holds the `name` group's span, if it took part.
                    let more = emit(Match {
                        start: pos,
                        end,
                        name: st.cap,
                    });
                    if !more {
                        break;
                    }
                    pos = end;
                }
                _ => pos += 1,
            }
        }
        Ok(())
    }
}

/// The pattern `hir` read backwards: it matches the text reversed (character by
/// character) where `hir` matches the text. Literals are reversed by characters, the
/// parts of a sequence come in reverse order, and assertions look the other way. The
/// `name` group becomes a plain group. `None` for what cannot be reversed here (a
/// literal that is not UTF-8, an assertion other than a line anchor or an ASCII word
/// boundary).
pub fn reversed(hir: &Hir) -> Option<Hir> {
    Some(match hir.kind() {
        HirKind::Empty => Hir::empty(),
        HirKind::Literal(l) => {
            let text = std::str::from_utf8(&l.0).ok()?;
            Hir::literal(text.chars().rev().collect::<String>().into_bytes())
        }
        HirKind::Class(c) => Hir::class(c.clone()),
        HirKind::Look(l) => Hir::look(match l {
            HirLook::Start => HirLook::End,
            HirLook::End => HirLook::Start,
            HirLook::StartLF => HirLook::EndLF,
            HirLook::EndLF => HirLook::StartLF,
            HirLook::WordAscii => HirLook::WordAscii,
            HirLook::WordAsciiNegate => HirLook::WordAsciiNegate,
            HirLook::WordStartAscii => HirLook::WordEndAscii,
            HirLook::WordEndAscii => HirLook::WordStartAscii,
            HirLook::WordStartHalfAscii => HirLook::WordEndHalfAscii,
            HirLook::WordEndHalfAscii => HirLook::WordStartHalfAscii,
            _ => return None,
        }),
        HirKind::Repetition(r) => Hir::repetition(regex_syntax::hir::Repetition {
            min: r.min,
            max: r.max,
            greedy: r.greedy,
            sub: Box::new(reversed(&r.sub)?),
        }),
        HirKind::Capture(c) => reversed(&c.sub)?,
        HirKind::Concat(parts) => Hir::concat(
            parts
                .iter()
                .rev()
                .map(reversed)
                .collect::<Option<Vec<_>>>()?,
        ),
        HirKind::Alternation(alts) => {
            Hir::alternation(alts.iter().map(reversed).collect::<Option<Vec<_>>>()?)
        }
    })
}

/// Call `f` with every byte whose bit is set.
fn for_each_bit(set: &[u64; 4], mut f: impl FnMut(usize)) {
    for (w, &word) in set.iter().enumerate() {
        let mut bits = word;
        while bits != 0 {
            let b = bits.trailing_zeros() as usize;
            f(w * 64 + b);
            bits &= bits - 1;
        }
    }
}

fn ascii_range(a: u8, b: u8) -> u128 {
    (a..=b).fold(0u128, |m, c| m | 1 << c)
}

/// A class repetition's parameters (see `Node::ClassRep`).
#[derive(Clone, Copy)]
struct Rep {
    class: u32,
    min: u32,
    max: u32,
    greedy: bool,
    follow: u32,
}

/// What to do when a sequence is done.
enum Cont<'a> {
    /// Go on with `seqs[seq][idx..]`.
    Resume {
        seq: u32,
        idx: usize,
        next: Option<&'a Cont<'a>>,
    },
    /// The `name` group closes here (it opened at `start`).
    Close {
        start: usize,
        next: Option<&'a Cont<'a>>,
    },
    /// One more iteration of a repetition is done (`count` so far).
    Again {
        seq: u32,
        idx: usize,
        count: u32,
        next: Option<&'a Cont<'a>>,
    },
}

/// Where a successful match ends (small enough to come back in registers; the `name`
/// group's span is in the state).
type Found = Option<usize>;

struct State<'h> {
    hay: &'h [u8],
    steps: u64,
    budget: u64,
    depth: u32,
    cap: Option<(usize, usize)>,
    /// When set, every place a match can end is recorded here, and the search goes on
    /// as if it had failed, so that it tries every way to match (see [`Prog::ends`]).
    ends: Option<&'h mut Vec<usize>>,
}

impl<'h> State<'h> {
    /// A search over `hay` that may take `budget` steps, `steps` of them taken already.
    fn new(hay: &'h [u8], budget: u64, steps: u64, ends: Option<&'h mut Vec<usize>>) -> Self {
        State {
            hay,
            steps,
            budget,
            depth: 0,
            cap: None,
            ends,
        }
    }

    fn tick(&mut self) -> Result<(), Budget> {
        self.steps += 1;
        if self.steps > self.budget || self.depth > DEPTH_BUDGET {
            return Err(Budget);
        }
        Ok(())
    }

    /// Match `seqs[seq][idx..]` at `pos`, then the continuation.
    fn seq(
        &mut self,
        p: &Prog,
        seq: u32,
        mut idx: usize,
        mut pos: usize,
        k: Option<&Cont<'_>>,
    ) -> Result<Found, Budget> {
        self.tick()?;
        let nodes = &p.seqs[seq as usize];
        // Straight-line nodes in a loop; branching nodes recurse.
        loop {
            let Some(node) = nodes.get(idx) else {
                return self.cont(p, pos, k);
            };
            match node {
                Node::Lit(_) | Node::Class(_) | Node::Look(_) => {
                    match straight(p, self.hay, node, pos) {
                        Some(np) => pos = np,
                        None => return Ok(None),
                    }
                }
                Node::ClassRep {
                    class,
                    min,
                    max,
                    greedy,
                    follow,
                } => {
                    let rep = Rep {
                        class: *class,
                        min: *min,
                        max: *max,
                        greedy: *greedy,
                        follow: *follow,
                    };
                    return self.class_rep(p, seq, idx, pos, k, rep);
                }
                Node::Alt(a) => {
                    let next = Cont::Resume {
                        seq,
                        idx: idx + 1,
                        next: k,
                    };
                    self.depth += 1;
                    let alt = &p.alts[*a as usize];
                    let branches = match self.hay.get(pos) {
                        Some(&b) if !alt.offsets.is_empty() => {
                            let (s, e) = (alt.offsets[b as usize], alt.offsets[b as usize + 1]);
                            &alt.list[s as usize..e as usize]
                        }
                        _ => &alt.branches[..],
                    };
                    for &q in branches {
                        // A branch that starts with a literal is tested here (most fail
                        // on their second byte: "call", "contact", "come" for a "c"),
                        // before a call into it.
                        let lead = match p.seqs[q as usize].first() {
                            Some(Node::Lit(l)) => lit_at(self.hay, pos, l),
                            _ => p.may_start(q, self.hay, pos),
                        };
                        if !lead {
                            continue;
                        }
                        if let Some(f) = self.seq(p, q, 0, pos, Some(&next))? {
                            self.depth -= 1;
                            return Ok(Some(f));
                        }
                    }
                    self.depth -= 1;
                    return Ok(None);
                }
                Node::Group { seq: g } => {
                    let after = Cont::Resume {
                        seq,
                        idx: idx + 1,
                        next: k,
                    };
                    let close = Cont::Close {
                        start: pos,
                        next: Some(&after),
                    };
                    self.depth += 1;
                    let r = self.seq(p, *g, 0, pos, Some(&close));
                    self.depth -= 1;
                    return r;
                }
                Node::Rep { .. } => return self.again(p, seq, idx, 0, pos, k),
            }
            idx += 1;
        }
    }

    /// Run a continuation.
    fn cont(&mut self, p: &Prog, pos: usize, k: Option<&Cont<'_>>) -> Result<Found, Budget> {
        match k {
            None => match self.ends.as_deref_mut() {
                Some(ends) => {
                    ends.push(pos);
                    Ok(None)
                }
                None => Ok(Some(pos)),
            },
            Some(Cont::Resume { seq, idx, next }) => self.seq(p, *seq, *idx, pos, *next),
            Some(Cont::Close { start, next }) => {
                let saved = self.cap;
                self.cap = Some((*start, pos));
                let r = self.cont(p, pos, *next)?;
                if r.is_none() {
                    self.cap = saved;
                }
                Ok(r)
            }
            Some(Cont::Again {
                seq,
                idx,
                count,
                next,
            }) => self.again(p, *seq, *idx, *count, pos, *next),
        }
    }

    /// The repetition node `seqs[seq][idx]`, after `count` iterations, at `pos`.
    fn again(
        &mut self,
        p: &Prog,
        seq: u32,
        idx: usize,
        count: u32,
        pos: usize,
        k: Option<&Cont<'_>>,
    ) -> Result<Found, Budget> {
        self.tick()?;
        let Some(Node::Rep {
            seq: sub,
            min,
            max,
            greedy,
        }) = p.seqs[seq as usize].get(idx)
        else {
            return Ok(None);
        };
        let after = Cont::Resume {
            seq,
            idx: idx + 1,
            next: k,
        };
        if !*greedy && p.det.get(*sub as usize) == Some(&true) {
            // One way through each iteration: shortest first, in a loop.
            let (mut count, mut pos) = (count, pos);
            loop {
                if count >= *min {
                    if let Some(f) = self.cont(p, pos, Some(&after))? {
                        return Ok(Some(f));
                    }
                }
                if count >= *max || !p.may_start(*sub, self.hay, pos) {
                    return Ok(None);
                }
                self.tick()?;
                match self.det_match(p, *sub, pos) {
                    Some(np) => pos = np,
                    None => return Ok(None),
                }
                count += 1;
            }
        }
        let more = Cont::Again {
            seq,
            idx,
            count: count.saturating_add(1),
            next: k,
        };
        // Another iteration only where one can start.
        let can_more = count < *max && p.may_start(*sub, self.hay, pos);
        self.depth += 1;
        let r = if count < *min {
            if can_more {
                self.seq(p, *sub, 0, pos, Some(&more))
            } else {
                Ok(None)
            }
        } else if *greedy {
            match if can_more {
                self.seq(p, *sub, 0, pos, Some(&more))?
            } else {
                None
            } {
                Some(f) => Ok(Some(f)),
                None => self.cont(p, pos, Some(&after)),
            }
        } else {
            match self.cont(p, pos, Some(&after))? {
                Some(f) => Ok(Some(f)),
                None if can_more => self.seq(p, *sub, 0, pos, Some(&more)),
                None => Ok(None),
            }
        };
        self.depth -= 1;
        r
    }

    /// Match `seqs[seq]`, one of [`Prog::det`]'s sequences, at `pos`: where it ends (its
    /// only way through), without a continuation.
    fn det_match(&self, p: &Prog, seq: u32, mut pos: usize) -> Option<usize> {
        for node in p.seqs.get(seq as usize)? {
            pos = match node {
                Node::ClassRep {
                    class, min, max, ..
                } => {
                    // Possessive and greedy: the longest run, or nothing.
                    let (end, n) = p.classes[*class as usize].longest_run(self.hay, pos, *max);
                    (n >= *min).then_some(end)?
                }
                _ => straight(p, self.hay, node, pos)?,
            };
        }
        Some(pos)
    }

    /// A repetition of one class member, iteratively. What follows is tried only where
    /// the next byte can start it.
    fn class_rep(
        &mut self,
        p: &Prog,
        seq: u32,
        idx: usize,
        pos: usize,
        k: Option<&Cont<'_>>,
        rep: Rep,
    ) -> Result<Found, Budget> {
        let Rep {
            class,
            min,
            max,
            greedy,
            follow,
        } = rep;
        let c = &p.classes[class as usize];
        let hay = self.hay;
        let can_follow = |at: usize| match p.follow.get(follow as usize) {
            None => true,
            Some(set) => hay.get(at).is_some_and(|&b| in_set(set, b)),
        };
        let after = Cont::Resume {
            seq,
            idx: idx + 1,
            next: k,
        };
        self.depth += 1;
        let mut at = pos;
        let mut n = 0u32;
        let r = if greedy {
            // Longest run first, then give back one member (one character, or one byte
            // for a byte class) at a time.
            (at, n) = c.longest_run(self.hay, pos, max);
            let mut found = None;
            // Possessive: only the longest run can be followed (see `Prog::possessive`).
            let possessive = p.possessive.get(follow as usize).copied().unwrap_or(false);
            if possessive && n >= min {
                self.tick()?;
                if can_follow(at) {
                    found = self.cont(p, at, Some(&after))?;
                }
            }
            while n >= min && !possessive {
                self.tick()?;
                if can_follow(at) {
                    if let Some(f) = self.cont(p, at, Some(&after))? {
                        found = Some(f);
                        break;
                    }
                }
                if n == 0 {
                    break;
                }
                at -= 1;
                if !c.bytes {
                    while at > pos && (0x80..0xC0).contains(&self.hay[at]) {
                        at -= 1;
                    }
                }
                n -= 1;
            }
            found
        } else {
            let mut found = None;
            loop {
                if n >= min && can_follow(at) {
                    self.tick()?;
                    if let Some(f) = self.cont(p, at, Some(&after))? {
                        found = Some(f);
                        break;
                    }
                }
                if n >= max {
                    break;
                }
                match c.step(self.hay, at) {
                    Some(np) => {
                        at = np;
                        n += 1;
                    }
                    None => break,
                }
            }
            found
        };
        self.depth -= 1;
        Ok(r)
    }
}
