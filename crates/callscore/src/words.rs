//! Word counts for the report's statistics: the words of each turn as
//! `unicode_words` counts them (Unicode word boundaries, UAX #29), over the folded text.
//!
//! Counting runs on every call and touches every byte, so it has a fast path. On x86-64
//! one SSE2 pass (part of every x86-64 CPU) over the whole folded buffer sorts the bytes,
//! sixteen at a time, into one 64-bit mask per kind per 64 bytes; shifts of those masks
//! then mark where a word starts and which bytes the fast path cannot judge (non-ASCII,
//! `_`); each turn's count is then a difference of two running counts,
//! with no loop over each turn's bytes (short turns of unpredictable length made such
//! loops pay a mispredicted branch or two per turn, about as much as the counting). The
//! running counts are bit counts, so the pass is compiled twice, with POPCNT (chosen at
//! run time where the CPU has it) and without (x86-64's baseline counts bits in a dozen
//! instructions): 0.1 µs a STAR call, a seventh of the counting. A turn
//! with a byte the fast path cannot judge, and every turn on other CPUs, is counted on
//! its own ([`count_words`]).
//!
//! In ASCII text without `_` every word segment holds a letter or a digit, so the count
//! is the number of segment starts: a letter or digit whose previous byte is neither a
//! letter or digit nor a joiner between the right neighbours (`:` between two letters,
//! `.` or `'` between two letters or two digits, `,` or `;` between two digits). Turns
//! are separated by `\n`, which is neither, so no word spans two turns.

use unicode_segmentation::UnicodeSegmentation;

use crate::fold::Folded;

/// Call `each(turn, words)` for every turn of `f`, in order. The turns are separated as
/// [`Folded::new`] separates them (by `\n`), so that no word spans two.
pub(crate) fn for_each_turn(f: &Folded, mut each: impl FnMut(usize, usize)) {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    {
        // The counting is mostly counting bits, which x86-64's baseline does in a dozen
        // instructions (POPCNT came later): with it where the CPU has it (all but the
        // oldest), 0.1 µs a STAR call less.
        if std::arch::is_x86_feature_detected!("popcnt") {
            // SAFETY: SSE2 is part of this build's target (the `cfg` above) and the CPU
            // has POPCNT (just checked).
            unsafe { sse2::turns_popcnt(f, &mut each) };
        } else {
            // SAFETY: SSE2 is part of this build's target (the `cfg` above).
            unsafe { sse2::turns(f, &mut each) };
        }
    }
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
    for i in 0..f.spans.len() {
        each(i, count_words(f.turn(i)));
    }
}

/// What the SSE2 pass found in 64 bytes of the buffer, one bit per byte.
#[derive(Debug, Clone, Copy, Default)]
#[cfg_attr(
    not(all(target_arch = "x86_64", target_feature = "sse2")),
    allow(dead_code)
)]
struct Group {
    /// Bytes where a word starts.
    starts: u64,
    /// Bytes the fast path cannot judge (non-ASCII, `_`).
    other: u64,
    /// Word starts in the groups before this one.
    starts_before: u32,
    /// Such bytes in the groups before this one.
    other_before: u32,
}

#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
mod sse2 {
    use super::{count_words, Folded, Group};
    use std::arch::x86_64::*;

    /// [`super::for_each_turn`] on a CPU with POPCNT (see there).
    #[target_feature(enable = "sse2,popcnt")]
    pub(super) fn turns_popcnt<F: FnMut(usize, usize)>(f: &Folded, each: &mut F) {
        turns_in(f, each)
    }

    /// [`super::for_each_turn`] with x86-64's baseline (SSE2).
    #[target_feature(enable = "sse2")]
    pub(super) fn turns<F: FnMut(usize, usize)>(f: &Folded, each: &mut F) {
        turns_in(f, each)
    }

    /// The body of [`turns`] and [`turns_popcnt`], compiled into each with its features.
    #[inline(always)]
    fn turns_in<F: FnMut(usize, usize)>(f: &Folded, each: &mut F) {
        let buf = f.buf.as_bytes();
        let mut groups = Vec::new();
        marks(buf, &mut groups);
        let count = |g: &Group| {
            (
                g.starts_before + g.starts.count_ones(),
                g.other_before + g.other.count_ones(),
            )
        };
        let total = groups.last().map_or((0, 0), count);
        // (starts, bytes to judge apart) before byte `p` (the totals from the end on).
        let before = |p: usize| {
            let low = (1u64 << (p % 64)) - 1;
            groups.get(p / 64).map_or(total, |g: &Group| {
                (
                    g.starts_before + (g.starts & low).count_ones(),
                    g.other_before + (g.other & low).count_ones(),
                )
            })
        };
        for (i, &(s, e)) in f.spans.iter().enumerate() {
            let (a, b) = (before(s), before(e));
            if b.1 == a.1 {
                each(i, b.0.saturating_sub(a.0) as usize);
            } else {
                each(i, count_words(f.turn(i)));
            }
        }
    }

    /// Mark word starts (as the module docs define them) and bytes to judge apart in
    /// `buf`, 64 bytes a group, with running totals, into `out`.
    ///
    /// SSE2 only sorts the bytes: six compares a block of sixteen, each kind of byte
    /// (letter, digit, `.`/`'`, `:`, `,`/`;`, to judge apart) gathered as one bit a byte
    /// into a 64-bit mask a group. The neighbours (the byte before, the one before that)
    /// are then shifts of those masks, with the previous group's top bits carried in:
    /// a few scalar operations per 64 bytes. (Judging the neighbours in the vector
    /// registers, as this did until session 13, took three times the instructions.)
    #[inline(always)]
    fn marks(buf: &[u8], out: &mut Vec<Group>) {
        // The previous group's masks: letter, digit, `.`/`'`, `:`, `,`/`;`.
        let mut prev = [0u64; 5];
        let (mut starts_before, mut other_before) = (0u32, 0u32);
        out.clear();
        out.reserve(buf.len().div_ceil(64));
        let mut pad = [0u8; 64];
        for chunk in buf.chunks(64) {
            // (A short last group is padded with zero bytes: neither a word nor a joiner.)
            let group = crate::block64(chunk, &mut pad);
            // SAFETY: `kinds` needs SSE2 only, which this build targets (the `cfg` on
            // this module; every x86-64 CPU has it).
            let m = unsafe { kinds(group) };
            let [l, d, p, c, s] = [m[0], m[1], m[2], m[3], m[4]];
            // Each byte's neighbour one (two) bytes before, across groups.
            let back1 = |x: u64, px: u64| (x << 1) | (px >> 63);
            let back2 = |x: u64, px: u64| (x << 2) | (px >> 62);
            let alnum = l | d;
            let letters = back2(l, prev[0]) & l;
            let digits = back2(d, prev[1]) & d;
            let joined = (back1(p, prev[2]) & (letters | digits))
                | (back1(c, prev[3]) & letters)
                | (back1(s, prev[4]) & digits);
            let starts = alnum & !(back1(alnum, prev[0] | prev[1]) | joined);
            let other = m[5];
            out.push(Group {
                starts,
                other,
                starts_before,
                other_before,
            });
            starts_before += starts.count_ones();
            other_before += other.count_ones();
            prev = [l, d, p, c, s];
        }
    }

    /// The masks of 64 bytes, one bit a byte: letters, digits, `.`/`'`, `:`, `,`/`;`,
    /// and bytes to judge apart (non-ASCII, `_`).
    #[inline]
    #[target_feature(enable = "sse2")]
    fn kinds(group: &[u8; 64]) -> [u64; 6] {
        let mut m = [0u64; 6];
        for (k, block) in group.chunks_exact(16).enumerate() {
            // SAFETY: `block` holds 16 bytes (the load is unaligned).
            let v = unsafe { _mm_loadu_si128(block.as_ptr().cast()) };
            let splat = |c: u8| _mm_set1_epi8(c as i8);
            let eq = |c: u8| _mm_cmpeq_epi8(v, splat(c));
            // Signed compares: a byte from 0x80 up is negative, so in no range.
            let within = |x: __m128i, lo: u8, hi: u8| {
                _mm_and_si128(
                    _mm_cmpgt_epi8(x, splat(lo - 1)),
                    _mm_cmpgt_epi8(splat(hi + 1), x),
                )
            };
            let kinds = [
                within(_mm_or_si128(v, splat(0x20)), b'a', b'z'),
                within(v, b'0', b'9'),
                _mm_or_si128(eq(b'.'), eq(b'\'')),
                eq(b':'),
                _mm_or_si128(eq(b','), eq(b';')),
                // Non-ASCII bytes have the top bit set already.
                _mm_or_si128(v, eq(b'_')),
            ];
            for (mask, kind) in m.iter_mut().zip(kinds) {
                *mask |= u64::from(_mm_movemask_epi8(kind) as u16) << (16 * k);
            }
        }
        m
    }
}

/// The number of words in `text`, as `unicode_words` counts them (Unicode word
/// boundaries, UAX #29), with a fast path for ASCII text.
pub(crate) fn count_words(text: &str) -> usize {
    let b = text.as_bytes();
    // ASCII without `_` (one branch-free pass, which vectorises): the usual case.
    if b.iter().fold(true, |ok, &x| ok & (x < 0x80) & (x != b'_')) {
        return count_words_plain(b);
    }
    if !text.is_ascii() {
        return text.unicode_words().count();
    }
    // UAX #29 restricted to ASCII: letters, digits and `_` join with each other; `:`
    // joins two letters, `,` and `;` two digits, `.` and `'` either; anything else
    // breaks. A segment counts when it holds a letter or digit.
    // 1 letter, 2 digit, 3 `_`, 0 anything else (joiners are judged below).
    let class = |x: u8| match WORD_CODE[x as usize] {
        c @ 1..=3 => c,
        _ => 0,
    };
    let (mut count, mut in_word, mut alnum) = (0, false, false);
    for i in 0..b.len() {
        let c = class(b[i]);
        if c == 0 {
            if in_word && i + 1 < b.len() {
                let (p, n) = (class(b[i - 1]), class(b[i + 1]));
                let joins = match b[i] {
                    b':' => p == 1 && n == 1,
                    b'.' | b'\'' => p == n && (p == 1 || p == 2),
                    b',' | b';' => p == 2 && n == 2,
                    _ => false,
                };
                if joins {
                    continue;
                }
            }
            if in_word && alnum {
                count += 1;
            }
            in_word = false;
            continue;
        }
        if !in_word {
            in_word = true;
            alnum = false;
        }
        alnum |= c != 3;
    }
    if in_word && alnum {
        count += 1;
    }
    count
}

/// [`count_words`] for ASCII text without `_` (every segment then holds a letter or a
/// digit, so the count is the number of segment starts), without a branch per byte: each
/// byte's code goes into a window of four (the byte before the one judged, the one
/// before it, the byte judged, the one after), and a table says whether that window
/// starts a segment. The text is counted as two halves at once (the second's window
/// starts with the three bytes before it), so the two chains of shifts overlap.
fn count_words_plain(b: &[u8]) -> usize {
    let code = |x: u8| usize::from(WORD_CODE[x as usize]);
    let starts = |w: usize| usize::from(STARTS[w & 0xFFF]);
    let (left, right) = b.split_at(b.len() / 2);
    let mut wb = left
        .iter()
        .rev()
        .take(3)
        .rev()
        .fold(0, |w, &x| (w << 3) | code(x));
    let (mut wa, mut count) = (0usize, 0usize);
    for (&x, &y) in left.iter().zip(right) {
        wa = (wa << 3) | code(x);
        wb = (wb << 3) | code(y);
        count += starts(wa) + starts(wb);
    }
    // The right half may be a byte longer.
    for &y in right.iter().skip(left.len()) {
        wb = (wb << 3) | code(y);
        count += starts(wb);
    }
    // The last byte, judged with nothing after it.
    count + starts(wb << 3)
}

/// Byte codes for [`count_words_plain`]: 1 letter, 2 digit, 3 `_`, 4 `:`, 5 `.` `'`,
/// 6 `,` `;`, 0 anything else.
const WORD_CODE: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = match b as u8 {
            b'a'..=b'z' | b'A'..=b'Z' => 1,
            b'0'..=b'9' => 2,
            b'_' => 3,
            b':' => 4,
            b'.' | b'\'' => 5,
            b',' | b';' => 6,
            _ => 0,
        };
        b += 1;
    }
    t
};

/// For a window of four byte codes (3 bits each, oldest first), whether the third byte
/// starts a segment: it is inside one and the second is not. A byte is inside when it is
/// a letter, digit or `_`, or a joiner between the right neighbours: `:` between letters,
/// `.` `'` between two letters or two digits, `,` `;` between digits (UAX #29 on ASCII).
const STARTS: [u8; 4096] = {
    const fn class(code: usize) -> usize {
        if code <= 3 {
            code
        } else {
            0
        }
    }
    const fn inside(x: usize, p: usize, n: usize) -> bool {
        let (p, n) = (class(p), class(n));
        match x {
            1..=3 => true,
            4 => p == 1 && n == 1,
            5 => p == n && (p == 1 || p == 2),
            6 => p == 2 && n == 2,
            _ => false,
        }
    }
    let mut t = [0u8; 4096];
    let mut w = 0;
    while w < 4096 {
        let (a, b, c, d) = ((w >> 9) & 7, (w >> 6) & 7, (w >> 3) & 7, w & 7);
        t[w] = (inside(c, b, d) && !inside(b, a, c)) as u8;
        w += 1;
    }
    t
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_word_count_agrees_with_unicode_words() {
        let alphabet = b"ab1_ .',;:-!?x9";
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut plain = 0;
        for _ in 0..50_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            // Mostly short texts, some long ones.
            let len = if state.is_multiple_of(8) {
                (state % 200) as usize
            } else {
                (state % 12) as usize
            };
            let mut st = state;
            let text: String = (0..len)
                .map(|_| {
                    st = st.rotate_left(5) ^ 0x9E37_79B9;
                    alphabet[(st % alphabet.len() as u64) as usize] as char
                })
                .collect();
            assert_eq!(count_words(&text), text.unicode_words().count(), "{text:?}");
            plain += usize::from(!text.contains('_'));
        }
        // Both paths are exercised: with and without `_`.
        assert!((10_000..40_000).contains(&plain), "{plain} texts without _");
    }

    /// A turn may end at the very end of the buffer (no `\n` after it), also where that
    /// is the end of a 64-byte group.
    #[test]
    fn a_turn_ending_the_buffer_is_counted() {
        for len in [63, 64, 65, 128] {
            let buf = format!("one two\n{}", &"three four ".repeat(20)[..len - 8]);
            let f = Folded {
                map: Vec::new(),
                map_at: vec![crate::fold::BYTE_FOR_BYTE; 2],
                spans: vec![(0, 7), (8, buf.len())],
                buf,
            };
            let mut seen = Vec::new();
            for_each_turn(&f, |i, words| seen.push((i, words)));
            let want: Vec<(usize, usize)> = (0..2)
                .map(|i| (i, f.turn(i).unicode_words().count()))
                .collect();
            assert_eq!(seen, want, "{len}");
        }
    }

    /// Every turn's count over a folded buffer (the SSE2 pass on x86-64, with turns that
    /// need the general path among them) is `unicode_words`' count of the folded turn.
    #[test]
    fn turn_counts_agree_with_unicode_words() {
        let alphabet: Vec<char> = "ab1_ .',;:-!?x9AZz0@[`{/\u{e9}\u{2019}".chars().collect();
        let mut rng = crate::testing::Rng::new(0x9E37_79B9_7F4A_7C15);
        let mut general = 0;
        for _ in 0..3_000 {
            let n = rng.below(12);
            let turns: Vec<crate::Turn> = (0..n)
                .map(|index| {
                    let len = if rng.below(4) == 0 {
                        rng.below(150)
                    } else {
                        rng.below(20)
                    };
                    // Most turns in the fast path's alphabet, some not.
                    let plain = rng.below(3) != 0;
                    let text: String = (0..len)
                        .map(|_| loop {
                            let c = alphabet[rng.below(alphabet.len())];
                            if !plain || (c.is_ascii() && c != '_') {
                                break c;
                            }
                        })
                        .collect();
                    crate::Turn {
                        index,
                        speaker: "A".into(),
                        role: crate::Role::Agent,
                        text,
                        line: index + 1,
                        start: None,
                        end: None,
                        segments: Vec::new(),
                    }
                })
                .collect();
            let f = Folded::new(&turns);
            let mut seen = Vec::new();
            for_each_turn(&f, |i, words| seen.push((i, words)));
            let want: Vec<(usize, usize)> = (0..n)
                .map(|i| (i, f.turn(i).unicode_words().count()))
                .collect();
            assert_eq!(seen, want, "{turns:?}");
            // The path for CPUs without POPCNT, which this machine does not take.
            #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
            {
                let mut baseline = Vec::new();
                // SAFETY: SSE2 is part of this build's target (the `cfg` above).
                unsafe { sse2::turns(&f, &mut |i, words| baseline.push((i, words))) };
                assert_eq!(baseline, want, "{turns:?}");
            }
            general += (0..n)
                .filter(|&i| !f.turn(i).is_ascii() || f.turn(i).contains('_'))
                .count();
        }
        assert!(general > 1_000, "{general} turns on the general path");
    }
}
