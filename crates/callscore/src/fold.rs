//! Typographic folding for matching, with a map back to the original text.
//!
//! All speech turns of a transcript are folded into one buffer, one turn per line, so
//! that every phrase of a ruleset is found in a single multi-pattern pass and matches
//! are attributed to turns by offset. Folding:
//! - lower-cases (Unicode-aware, ASCII fast path);
//! - `’ ‘ ‛ ʼ ´ \`` become `'`, `“ ” „` become `"`, every dash becomes `-`, `…` becomes `...`;
//! - annotations (`[...]`, `(...)`, `*...*` inside a speech line) become white space, so
//!   they never match a phrase;
//! - zero-width characters, bidi controls and other control characters are dropped, so
//!   `th\u{200b}ank you` reads as `thank you` and cannot hide a phrase (nor fake one:
//!   the zero-width space is not a word separator);
//! - runs of white space become one space; each turn is trimmed.
//!
//! Every byte of the buffer maps back to the byte offset, in its turn's original text, of
//! the character it came from, so a match maps back to exact original offsets
//! ([`Folded::to_original`]). Most turns are folded byte for byte (only lower-cased), and
//! their map is implicit; the others' is stored.

use crate::transcript::Turn;

/// The folded speech of a whole transcript.
#[derive(Debug, Default, Clone)]
pub struct Folded {
    /// Folded turns joined by `\n`.
    pub buf: String,
    /// For the turns that folding changed beyond lower-casing, for each of their bytes
    /// and the separator after them, the byte offset in the turn's original text it came
    /// from (see [`Folded::original_at`]).
    pub(crate) map: Vec<u32>,
    /// For each turn, where its entries start in `map`, or [`BYTE_FOR_BYTE`] for a turn
    /// folded byte for byte (only lower-cased: most turns), whose map is not stored.
    pub(crate) map_at: Vec<usize>,
    /// `[start, end)` byte range of each turn in `buf`.
    pub spans: Vec<(usize, usize)>,
}

/// [`Folded::map_at`] of a turn folded byte for byte: folded byte `k` of the turn came
/// from original byte `k`, or, for a space, from the character after it (as a collapsed
/// run of space does in a turn folded otherwise). Writing out that map for every byte
/// of every such turn cost about a fifth of folding.
pub(crate) const BYTE_FOR_BYTE: usize = usize::MAX;

impl Folded {
    /// Fold every turn of a transcript.
    pub fn new(turns: &[Turn]) -> Folded {
        // (Plus the room `copy_plain` writes a last block of padding into.)
        let cap: usize = turns.iter().map(|t| t.text.len() + 1).sum::<usize>() + 16;
        let mut out: Vec<u8> = Vec::with_capacity(cap);
        let mut map = Vec::new();
        let mut map_at = Vec::with_capacity(turns.len());
        let mut spans = Vec::with_capacity(turns.len());
        let mut all_plain = true;
        for t in turns {
            let start = out.len();
            if copy_plain(t.text.as_bytes(), &mut out) {
                // Printable ASCII, single spaces, no annotation: lower-cased above.
                map_at.push(BYTE_FOR_BYTE);
            } else {
                all_plain = false;
                out.truncate(start);
                map_at.push(map.len());
                fold_general(&t.text, &mut out, &mut map);
                map.push(t.text.len() as u32);
            }
            spans.push((start, out.len()));
            out.push(b'\n');
        }
        let buf = if all_plain {
            // Every turn's bytes passed `copy_plain`'s check (printable ASCII) and the
            // separators are `\n`: ASCII, so valid UTF-8 without a second look.
            debug_assert!(out.is_ascii());
            // SAFETY: ASCII is valid UTF-8 (above).
            unsafe { String::from_utf8_unchecked(out) }
        } else {
            into_string(out)
        };
        Folded {
            buf,
            map,
            map_at,
            spans,
        }
    }

    /// True when turn `i` was folded byte for byte (only lower-cased): its text is
    /// printable ASCII, so a byte offset in it is also a character offset.
    pub(crate) fn is_plain(&self, i: usize) -> bool {
        self.map_at.get(i) == Some(&BYTE_FOR_BYTE)
    }

    /// The folded text of turn `i`.
    pub fn turn(&self, i: usize) -> &str {
        let (s, e) = self.spans[i];
        &self.buf[s..e]
    }

    /// Which turn holds buffer offset `pos`.
    pub fn turn_at(&self, pos: usize) -> usize {
        self.spans.partition_point(|&(_, e)| e < pos)
    }

    /// The byte offset, in turn `turn`'s original text, of the character that folded
    /// byte `pos` came from (for the separator after the turn: the text's length).
    /// `None` when `pos` is not in the turn.
    pub fn original_at(&self, turn: usize, pos: usize) -> Option<usize> {
        let &(s, e) = self.spans.get(turn)?;
        if pos < s || pos > e {
            return None;
        }
        let k = pos - s;
        match *self.map_at.get(turn)? {
            // The map `fold_bytes` writes out for such a turn (kept in step with it by
            // the test `implicit_and_stored_maps_agree_with_the_full_map`). Sharing one
            // helper with `fold_bytes` measured 0.05-0.1 µs a STAR call slower.
            BYTE_FOR_BYTE => Some(k + usize::from(self.buf.as_bytes().get(pos) == Some(&b' '))),
            at => self.map.get(at + k).map(|&o| o as usize),
        }
    }

    /// The first position in turn `turn`'s folded text (from 0; its length when there is
    /// none) whose byte came from at or after byte `offset` of the original text. (A
    /// folded byte comes from at or after where the one before it came from.)
    pub fn folded_from(&self, turn: usize, offset: usize) -> usize {
        let Some(&(s, e)) = self.spans.get(turn) else {
            return 0;
        };
        let len = e - s;
        match self.map_at.get(turn) {
            Some(&BYTE_FOR_BYTE) => {
                // Byte `k` came from `k`, or `k + 1` for a space.
                let space_before =
                    offset > 0 && self.buf.as_bytes().get(s + offset - 1) == Some(&b' ');
                let k = if space_before { offset - 1 } else { offset };
                k.min(len)
            }
            Some(&at) => self
                .map
                .get(at..at + len)
                .map_or(0, |m| m.partition_point(|&o| (o as usize) < offset)),
            None => 0,
        }
    }

    /// Map a folded byte range `[s, e)` of turn `turn` to a byte range of the turn's
    /// original text, `original`.
    pub fn to_original(&self, turn: usize, original: &str, s: usize, e: usize) -> (usize, usize) {
        let os = self.original_at(turn, s).unwrap_or(original.len());
        if e <= s {
            return (os, os);
        }
        let last = self.original_at(turn, e - 1).unwrap_or(original.len());
        let oe = original
            .get(last..)
            .and_then(|r| r.chars().next())
            .map_or(original.len(), |c| last + c.len_utf8());
        (os.min(oe), oe)
    }
}

/// True for characters that are dropped entirely.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{2069}' | '\u{FEFF}' | '\u{00AD}' | '\u{034F}' | '\u{180E}')
        || (c.is_control() && !c.is_whitespace())
}

/// Fold one turn's text into `buf`, recording source offsets in `map`.
pub fn fold_into(text: &str, buf: &mut String, map: &mut Vec<u32>) {
    let mut out = std::mem::take(buf).into_bytes();
    fold_bytes(text, &mut out, map);
    *buf = into_string(out);
}

/// Byte classes of the ASCII fast path: `PLAIN` bytes are copied as they are
/// (lower-cased): everything but white space, control characters, the annotation
/// openers `[`, `(` and `*`, and non-ASCII bytes.
const PLAIN: u8 = 1;
/// A space, copied when it sits between two plain bytes.
const SPACE: u8 = 2;
const CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0x21;
    while b < 0x7F {
        if !matches!(b as u8, b'[' | b'(' | b'*') {
            t[b] = PLAIN;
        }
        b += 1;
    }
    t[b' ' as usize] = SPACE;
    t
};

/// Only whole characters are ever appended, so the bytes are valid UTF-8; the check is
/// one pass over the transcript and never fails.
fn into_string(out: Vec<u8>) -> String {
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// True when folding `b` only lower-cases it (what [`copy_plain`] says, for tests).
#[cfg(test)]
fn is_plain(b: &[u8]) -> bool {
    let mut out = Vec::new();
    copy_plain(b, &mut out)
}

/// Append `b`, lower-cased, to `out`, and say whether that is all folding `b` does
/// (printable ASCII with no annotation opener, single spaces, none at either end; when
/// it is not, the caller takes the bytes back off). One branch-free pass lower-cases
/// and checks every byte with the one before it as it appends them: sixteen bytes at a
/// time on x86-64 (SSE2, part of every x86-64 CPU; the compiler had not vectorised a
/// copy followed by a loop over the bytes, which cost ~4.5 instructions a byte), a byte
/// at a time elsewhere.
fn copy_plain(b: &[u8], out: &mut Vec<u8>) -> bool {
    let ends = b.first().is_some_and(|&x| x != b' ') && b.last().is_some_and(|&x| x != b' ');
    if !ends {
        return false;
    }
    lower_plain(b, out)
}

/// Append `b` lower-cased to `out`, and say whether it is plain (see [`copy_plain`]).
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
fn lower_plain(b: &[u8], out: &mut Vec<u8>) -> bool {
    // SAFETY: `sse2::lower_plain` needs SSE2 only, which this build targets (the `cfg`
    // above; every x86-64 CPU has it).
    unsafe { sse2::lower_plain(b, out) }
}

/// Append `b` lower-cased to `out`, and say whether it is plain (see [`copy_plain`]): a
/// byte at a time, each with the one before it (the first byte has none: it is not a
/// space).
#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
fn lower_plain(b: &[u8], out: &mut Vec<u8>) -> bool {
    let at = out.len();
    out.extend_from_slice(b);
    let before = std::iter::once(&b'a').chain(b);
    out[at..]
        .iter_mut()
        .zip(before)
        .fold(true, |ok, (x, &before)| plain_byte(ok, x, before))
}

/// One byte of [`copy_plain`]: lower-case `x` and say whether the text is still plain
/// (`ok`, and `x` printable ASCII, no annotation opener, not a space after a space).
/// On x86-64, `sse2::lower_plain` does the same sixteen bytes at a time, and the tests
/// check it against this.
#[cfg(any(test, not(all(target_arch = "x86_64", target_feature = "sse2"))))]
#[inline]
fn plain_byte(ok: bool, x: &mut u8, before: u8) -> bool {
    let c = *x;
    *x = c | (u8::from(c.wrapping_sub(b'A') < 26) << 5);
    ok & (0x20..0x7F).contains(&c)
        & (c != b'[')
        & (c != b'(')
        & (c != b'*')
        & ((c != b' ') | (before != b' '))
}

#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
mod sse2 {
    use std::arch::x86_64::*;

    /// [`super::copy_plain`]'s pass: append `text` lower-cased to `out`, and say whether
    /// it is plain. The last few bytes go through as a block padded with letters (plain,
    /// and not spaces).
    #[target_feature(enable = "sse2")]
    pub(super) fn lower_plain(text: &[u8], out: &mut Vec<u8>) -> bool {
        let splat = |c: u8| _mm_set1_epi8(c as i8);
        // The block before (before the first: a letter, which is not a space).
        let mut prev = splat(b'a');
        let mut bad = _mm_setzero_si128();
        let mut block = |v: __m128i| -> __m128i {
            let eq = |x: __m128i, c: u8| _mm_cmpeq_epi8(x, splat(c));
            // Each byte's neighbour before it, across blocks.
            let before = _mm_or_si128(_mm_slli_si128::<1>(v), _mm_srli_si128::<15>(prev));
            // Signed compares: a byte from 0x80 up is negative, so below a space.
            let upper = _mm_and_si128(
                _mm_cmpgt_epi8(v, splat(b'A' - 1)),
                _mm_cmpgt_epi8(splat(b'Z' + 1), v),
            );
            let wrong = [
                _mm_cmpgt_epi8(splat(b' '), v),
                eq(v, 0x7F),
                eq(v, b'['),
                eq(v, b'('),
                eq(v, b'*'),
                _mm_and_si128(eq(v, b' '), eq(before, b' ')),
            ];
            for w in wrong {
                bad = _mm_or_si128(bad, w);
            }
            prev = v;
            _mm_or_si128(v, _mm_and_si128(upper, splat(0x20)))
        };
        // Every block is stored whole, the last one too (its padding goes past the text,
        // into room reserved here, and is not counted in the length).
        let len = out.len();
        out.reserve(text.len() + 16);
        let dst = out.as_mut_ptr();
        let mut blocks = text.chunks_exact(16);
        let mut at = len;
        for b in &mut blocks {
            // SAFETY: `b` holds 16 bytes (the load is unaligned); the store writes 16
            // bytes at `at <= len + text.len() - 16`, inside the room reserved above.
            unsafe {
                let v = _mm_loadu_si128(b.as_ptr().cast());
                _mm_storeu_si128(dst.add(at).cast(), block(v));
            }
            at += 16;
        }
        let rest = blocks.remainder();
        if !rest.is_empty() {
            let mut last = [b'a'; 16];
            last[..rest.len()].copy_from_slice(rest);
            // SAFETY: as above: `at + 16 <= len + text.len() + 16`, inside the room.
            unsafe {
                let v = _mm_loadu_si128(last.as_ptr().cast());
                _mm_storeu_si128(dst.add(at).cast(), block(v));
            }
        }
        // SAFETY: the bytes up to `len + text.len()` were written above (and `u8` has no
        // invalid values); the capacity holds them.
        unsafe { out.set_len(len + text.len()) };
        _mm_movemask_epi8(bad) == 0
    }
}

/// [`fold_into`] over a byte buffer that holds whole characters.
///
/// One pass over the bytes: runs of plain ASCII (almost all of a transcript) are copied
/// in bulk; other characters are decoded and folded one at a time.
fn fold_bytes(text: &str, out: &mut Vec<u8>, map: &mut Vec<u32>) {
    let bytes = text.as_bytes();
    let at = out.len();
    if copy_plain(bytes, out) {
        // Most turns: printable ASCII, single spaces, no annotation: lower-cased above.
        // As in `fold_general`, a space maps to the character after it.
        map.extend(
            bytes
                .iter()
                .enumerate()
                .map(|(k, &b)| k as u32 + u32::from(b == b' ')),
        );
    } else {
        out.truncate(at);
        fold_general(text, out, map);
    }
}

/// [`fold_bytes`] for any text.
fn fold_general(text: &str, out: &mut Vec<u8>, map: &mut Vec<u32>) {
    let bytes = text.as_bytes();
    // Where the last `]`, `)` and `*` are: looked up on the first opener (most turns
    // have none).
    let mut closes: Option<[Option<usize>; 3]> = None;
    let turn_start = out.len();
    out.reserve(bytes.len());
    map.reserve(bytes.len());
    let mut pending_space = false;
    let mut i = 0usize;
    while i < bytes.len() {
        let b = bytes[i];
        if CLASS[b as usize] == PLAIN {
            // A run of plain bytes, single spaces between them included.
            let mut j = i + 1;
            while j < bytes.len() {
                match CLASS[bytes[j] as usize] {
                    PLAIN => j += 1,
                    SPACE
                        if bytes
                            .get(j + 1)
                            .is_some_and(|&x| CLASS[x as usize] == PLAIN) =>
                    {
                        j += 2
                    }
                    _ => break,
                }
            }
            if pending_space && out.len() > turn_start {
                out.push(b' ');
                map.push(i as u32);
            }
            pending_space = false;
            let at = out.len();
            out.extend_from_slice(&bytes[i..j]);
            out[at..].make_ascii_lowercase();
            // A space maps to the character after it, as a collapsed run of space does.
            map.extend((i..j).map(|k| k as u32 + u32::from(bytes[k] == b' ')));
            i = j;
            continue;
        }
        if b < 0x80 {
            // Annotations become white space.
            let opener = matches!(b, b'[' | b'(' | b'*');
            let [lb, lp, ls] = if opener {
                *closes.get_or_insert_with(|| {
                    let last = |c: u8| bytes.iter().rposition(|&x| x == c);
                    [last(b']'), last(b')'), last(b'*')]
                })
            } else {
                [None; 3]
            };
            let close = match b {
                b'[' => lb.filter(|&j| j > i).map(|_| b']'),
                b'(' => lp.filter(|&j| j > i).map(|_| b')'),
                // `*click*` is an annotation, `f***ing` is not: `*` opens only at a word start.
                b'*' if i == 0 || bytes[i - 1].is_ascii_whitespace() => {
                    ls.filter(|&j| j > i + 1).map(|_| b'*')
                }
                _ => None,
            };
            if let Some(cb) = close {
                if let Some(k) = bytes[i + 1..].iter().position(|&x| x == cb) {
                    i += k + 2;
                    pending_space = true;
                    continue;
                }
            }
            if b.is_ascii_whitespace() {
                pending_space = true;
                i += 1;
                continue;
            }
            if b.is_ascii_control() {
                i += 1;
                continue;
            }
            if pending_space && out.len() > turn_start {
                out.push(b' ');
                map.push(i as u32);
            }
            pending_space = false;
            out.push(b.to_ascii_lowercase());
            map.push(i as u32);
            i += 1;
            continue;
        }
        let Some(c) = text.get(i..).and_then(|r| r.chars().next()) else {
            i += 1;
            continue;
        };
        let len = c.len_utf8();
        if c.is_whitespace() {
            pending_space = true;
            i += len;
            continue;
        }
        if is_invisible(c) {
            i += len;
            continue;
        }
        if pending_space && out.len() > turn_start {
            out.push(b' ');
            map.push(i as u32);
        }
        pending_space = false;
        let o = i as u32;
        let rep: Option<&str> = match c {
            '\u{2018}' | '\u{2019}' | '\u{201B}' | '\u{02BC}' | '\u{00B4}' | '\u{2032}' => {
                Some("'")
            }
            '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' | '\u{00AB}'
            | '\u{00BB}' => Some("\""),
            '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE58}' | '\u{FE63}' | '\u{FF0D}' => {
                Some("-")
            }
            '\u{2026}' => Some("..."),
            _ => None,
        };
        match rep {
            Some(r) => {
                out.extend_from_slice(r.as_bytes());
                map.extend(std::iter::repeat_n(o, r.len()));
            }
            None => {
                let mut tmp = [0u8; 4];
                for lc in c.to_lowercase() {
                    let e = lc.encode_utf8(&mut tmp);
                    out.extend_from_slice(e.as_bytes());
                    map.extend(std::iter::repeat_n(o, e.len()));
                }
            }
        }
        i += len;
    }
}

/// Fold a standalone string (event text, phrase text) without keeping the map.
pub fn fold_str(text: &str) -> String {
    let mut buf = String::with_capacity(text.len());
    let mut map = Vec::new();
    fold_into(text, &mut buf, &mut map);
    buf
}

/// Sentence ranges `[start, end)` of a folded turn, relative to the turn's start.
///
/// A sentence ends at `.`, `!`, `?` or `;` followed by a space or the end of the turn.
pub fn sentences(turn: &str) -> Vec<(usize, usize)> {
    let b = turn.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < b.len() {
        if matches!(b[i], b'.' | b'!' | b'?' | b';') {
            let mut j = i + 1;
            while j < b.len() && matches!(b[j], b'.' | b'!' | b'?' | b';') {
                j += 1;
            }
            if j == b.len() || b[j] == b' ' {
                out.push((start, j));
                start = j + 1;
                i = j + 1;
                continue;
            }
        }
        i += 1;
    }
    if start < b.len() {
        out.push((start, b.len()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fold(s: &str) -> (String, Vec<u32>) {
        let mut b = String::new();
        let mut m = Vec::new();
        fold_into(s, &mut b, &mut m);
        (b, m)
    }

    #[test]
    fn folds_typography_and_case() {
        assert_eq!(
            fold("You’ve  Reached “Café” — OK…").0,
            "you've reached \"café\" - ok..."
        );
    }

    #[test]
    fn annotations_become_space() {
        assert_eq!(
            fold("hello [noise] this is (laughs) Sam *cough*").0,
            "hello this is sam"
        );
        assert_eq!(fold("unclosed ( bracket").0, "unclosed ( bracket");
    }

    #[test]
    fn zero_width_and_bidi_are_dropped() {
        assert_eq!(fold("th\u{200b}ank\u{202e} you").0, "thank you");
    }

    #[test]
    fn map_points_to_original() {
        let text = "Hi — Zoë’s café";
        let turn = Turn {
            index: 0,
            speaker: "A".into(),
            role: Default::default(),
            text: text.into(),
            line: 1,
            start: None,
            end: None,
            segments: vec![],
        };
        let f = Folded::new(std::slice::from_ref(&turn));
        let pos = f.buf.find("zoë's").unwrap();
        let (s, e) = f.to_original(0, text, pos, pos + "zoë's".len());
        assert_eq!(&text[s..e], "Zoë’s");
    }

    #[test]
    fn plain_fast_path_equals_the_general_fold() {
        // Seeded random texts over an alphabet that hits both paths: printable ASCII,
        // single and double spaces, annotation openers, tabs, non-ASCII.
        const PIECES: &[&str] = &[
            "a", "B", "z", "Q", "7", " ", " ", "  ", ".", ",", "'", "-", "?", "!", "[", "]", "(",
            ")", "*", "\t", "é", "’", "~", "\"", ":", "Thank", "you",
        ];
        let mut rng = crate::testing::Rng::new(0x9E37_79B9_7F4A_7C15);
        let (mut plain, mut total) = (0, 0);
        for _ in 0..20_000 {
            let text = rng.text(PIECES, 12);
            let (mut a, mut am) = (Vec::new(), Vec::new());
            let (mut b, mut bm) = (Vec::new(), Vec::new());
            fold_bytes(&text, &mut a, &mut am);
            fold_general(&text, &mut b, &mut bm);
            assert_eq!((a, am), (b, bm), "{text:?}");
            plain += usize::from(is_plain(text.as_bytes()));
            total += 1;
        }
        assert!(
            plain > total / 10,
            "only {plain} of {total} texts took the fast path"
        );
    }

    /// The fast path judges every byte wherever it falls in its block of sixteen (and
    /// in the bytes after the last whole block): each byte that is not plain, and a
    /// double space, at every position of texts of 1 to 70 bytes; and it lower-cases
    /// every byte. (Fails if a block's first byte is not judged with the byte before it,
    /// or a kind of byte is not checked.)
    #[test]
    fn plain_fast_path_judges_every_position() {
        let reference = |b: &[u8]| -> (bool, Vec<u8>) {
            let mut out = b.to_vec();
            let ok = !b.is_empty() && b[0] != b' ' && b[b.len() - 1] != b' ';
            let mut before = b'a';
            let ok = out.iter_mut().fold(ok, |ok, x| {
                let c = *x;
                let r = plain_byte(ok, x, before);
                before = c;
                r
            });
            (ok, out)
        };
        let base: Vec<u8> = b"Thank You For Calling, How Can I Help? It's 9 AM ".repeat(2);
        for len in 1..=70 {
            let text = &base[..len];
            for (pos, bad) in (0..len).flat_map(|p| {
                [
                    b'[', b'(', b'*', 0x7F, b'\t', 0x80, 0xFF, b'~', b'Z', b'@', b' ',
                ]
                .map(|c| (p, c))
            }) {
                let mut t = text.to_vec();
                t[pos] = bad;
                if bad == b' ' && pos > 0 {
                    // A double space.
                    t[pos - 1] = b' ';
                }
                let mut out = b"x".to_vec();
                let ok = copy_plain(&t, &mut out);
                let (want, lowered) = reference(&t);
                assert_eq!(ok, want, "{:?}", String::from_utf8_lossy(&t));
                if ok {
                    assert_eq!(&out[1..], &lowered[..], "{len} {pos}");
                    assert_eq!(out[1..].to_vec(), t.to_ascii_lowercase());
                }
            }
        }
    }

    /// A transcript's folded turns map back exactly as each turn's own full map says,
    /// whether the turn was folded byte for byte (its map implicit) or not (stored).
    #[test]
    fn implicit_and_stored_maps_agree_with_the_full_map() {
        const PIECES: &[&str] = &[
            "a", "B", "z", "7", " ", " ", "  ", ".", ",", "'", "[x]", "(", "\t", "é", "’", "Thank",
            "you", "\u{200b}",
        ];
        let mut rng = crate::testing::Rng::new(7);
        let mut plain = 0;
        for _ in 0..2_000 {
            let turns: Vec<Turn> = (0..4)
                .map(|i| Turn {
                    index: i,
                    speaker: "A".into(),
                    role: Default::default(),
                    text: rng.text(PIECES, 10),
                    line: i + 1,
                    start: None,
                    end: None,
                    segments: vec![],
                })
                .collect();
            let f = Folded::new(&turns);
            for (i, t) in turns.iter().enumerate() {
                let (mut buf, mut map) = (String::new(), Vec::new());
                fold_into(&t.text, &mut buf, &mut map);
                map.push(t.text.len() as u32);
                assert_eq!(f.turn(i), buf, "{:?}", t.text);
                let (s, _) = f.spans[i];
                for (k, &o) in map.iter().enumerate() {
                    assert_eq!(
                        f.original_at(i, s + k),
                        Some(o as usize),
                        "{:?} at {k}",
                        t.text
                    );
                }
                for offset in 0..=t.text.len() + 1 {
                    let want = map[..map.len() - 1].partition_point(|&o| (o as usize) < offset);
                    assert_eq!(f.folded_from(i, offset), want, "{:?} from {offset}", t.text);
                }
                plain += usize::from(f.map_at[i] == BYTE_FOR_BYTE);
            }
        }
        assert!(plain > 500, "{plain} turns folded byte for byte");
    }

    #[test]
    fn sentence_split() {
        let t = "she's out. i'll get her to call! ok";
        let s: Vec<&str> = sentences(t).iter().map(|&(a, b)| &t[a..b]).collect();
        assert_eq!(s, vec!["she's out.", "i'll get her to call!", "ok"]);
    }
}
