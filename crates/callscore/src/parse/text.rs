//! Reader for the plain transcript text format of the rubric.
//!
//! ```text
//! # agent: Jo                      <- header lines: agent, customer, org, title
//! [00:00] Jo: Hello, is that Barbara?      <- optional timestamp, speaker, colon, speech
//! Barbara: Speaking.
//! Jo: It's Jo from Prism Industries. We're in your area
//! collecting old IT equipment.             <- a line with no speaker continues the turn
//! [Jo hangs up]                            <- a whole line in [], () or ** is an event
//! ```
//!
//! The reader is hand-written (one pass, no regex) because the format is line based and
//! tiny; it is the hot path of parsing and a hand scan is several times faster than a
//! regex per line. Decisions where the rubric is silent:
//! - a speaker is 1 to 40 characters of letters, digits, spaces, `.`, `'`, `’`, `-`, `_`,
//!   `&`, containing at least one letter, followed by `:` and then a space or the end of
//!   the line (so `10:30` or `http://` never start a turn);
//! - an event between two lines of one speaker ends the turn: the lines form two turns;
//! - a speech line whose whole text is an annotation (`Agent: [hangs up]`) is an event
//!   with the text `Agent hangs up`;
//! - text before the first speaker is skipped with a warning in the report.

use super::{Limits, Spare};
use crate::error::{Error, Result};
use crate::transcript::{Event, Segment, Transcript, Turn};

/// Parse the plain text format.
pub fn parse_text(input: &str, limits: &Limits) -> Result<Transcript> {
    parse_text_with(input, limits, &mut Spare::default())
}

/// [`parse_text`], making its turns out of `spare`'s (their strings' memory reused)
/// before allocating new ones.
pub(crate) fn parse_text_with(
    input: &str,
    limits: &Limits,
    spare: &mut Spare,
) -> Result<Transcript> {
    let mut tr = Transcript::empty();
    tr.turns = std::mem::take(&mut spare.list);
    // Room for the turns at once (growing by doubling copied them three times over in a
    // typical call): a turn for every 48 bytes covers a typical call (STAR's average is
    // 65 bytes a turn) without counting its lines, which cost more than it saved; bounded,
    // so that a huge input grows by doubling past 4,096 turns.
    tr.turns.reserve((input.len() / 48).clamp(8, 4096));
    // `open` is true while the last speech turn may still take continuation lines.
    let mut open = false;
    for (no, raw) in lines(input).enumerate() {
        let line_no = no + 1;
        if raw.len() > limits.max_line_bytes {
            return Err(Error::LineTooLong {
                line: line_no,
                length: raw.len(),
                limit: limits.max_line_bytes,
            });
        }
        let line = trim(raw);
        if line.is_empty() {
            continue;
        }
        if let Some(rest) = line.strip_prefix('#') {
            header(&mut tr, rest, line_no);
            continue;
        }
        let (time, rest) = strip_timestamp(line);
        if let Some(inner) = event_text(rest) {
            tr.events.push(Event {
                index: tr.events.len(),
                text: inner.trim().to_string(),
                line: line_no,
                after_turns: tr.turns.len(),
                time,
            });
            open = false;
            continue;
        }
        if let Some((speaker, speech)) = split_speaker(rest) {
            // (The one space after the colon, taken off first: `trim` is quick only for
            // text with no white space at its ends.)
            let speech = trim(speech.strip_prefix(' ').unwrap_or(speech));
            if let Some(inner) = event_text(speech) {
                tr.events.push(Event {
                    index: tr.events.len(),
                    text: format!("{speaker} {}", inner.trim()),
                    line: line_no,
                    after_turns: tr.turns.len(),
                    time,
                });
                open = false;
                continue;
            }
            match tr.turns.last_mut() {
                Some(t) if open && t.speaker == speaker => append(t, speech, line_no, time),
                _ => {
                    let turn = spare.turn(tr.turns.len(), speaker, speech, line_no, time);
                    tr.turns.push(turn);
                    open = true;
                }
            }
            continue;
        }
        // A line with no speaker continues the last turn.
        match tr.turns.last_mut() {
            Some(t) => append(t, rest, line_no, time),
            None => tr.warnings.push(format!(
                "line {line_no}: text before the first speaker was skipped"
            )),
        }
    }
    Ok(tr)
}

/// `str::trim`, without decoding when the ends are plain ASCII (every line of a typical
/// transcript): Unicode white space is either ASCII or not ASCII at all.
fn trim(s: &str) -> &str {
    let solid = |b: Option<&u8>| b.is_some_and(|&c| c.is_ascii() && !c.is_ascii_whitespace());
    if solid(s.as_bytes().first()) && solid(s.as_bytes().last()) {
        s
    } else {
        s.trim()
    }
}

/// Split into lines on `\n`, `\r\n` or a lone `\r`.
///
/// The line ends are found 64 bytes at a time, as a bit mask (SSE2 compares on x86-64, a
/// byte at a time elsewhere), and taken from the mask one by one: a call's ~16 lines cost
/// one pass over its bytes, where a search per line (`memchr2`) cost a call into the
/// search and its set-up every line (~175 instructions a STAR line). (Left to the
/// compiler, the mask of a 64-byte block was built a byte at a time: reading took 1.66
/// µs a STAR call instead of 0.98.)
pub(crate) fn lines(input: &str) -> Lines<'_> {
    let mut l = Lines {
        input,
        at: 0,
        block: 0,
        mask: 0,
        done: input.is_empty(),
    };
    l.mask = l.block_mask();
    l
}

/// The iterator of [`lines`].
pub(crate) struct Lines<'a> {
    input: &'a str,
    /// Where the next line starts.
    at: usize,
    /// Where the 64-byte block `mask` describes starts.
    block: usize,
    /// Bit `k`: byte `block + k` ends a line, and no line was taken at it yet.
    mask: u64,
    /// Every line was taken.
    done: bool,
}

impl Lines<'_> {
    /// The line ends in the block from `self.block`, from `self.at` on.
    fn block_mask(&self) -> u64 {
        let bytes = self.input.as_bytes();
        let have = bytes.get(self.block..).unwrap_or_default();
        // (The last, partial block is padded with bytes that end no line.)
        let mut pad = [0u8; 64];
        let mask = ends_mask(crate::block64(&have[..have.len().min(64)], &mut pad));
        // A `\r\n` across the block boundary: its `\n` was taken with the `\r`.
        match self.at.checked_sub(self.block) {
            Some(skip @ 1..=63) => mask & (u64::MAX << skip),
            _ => mask,
        }
    }
}

/// Bit `k`: `chunk[k]` is `\n` or `\r`.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
fn ends_mask(chunk: &[u8; 64]) -> u64 {
    use std::arch::x86_64::*;
    let mut mask = 0u64;
    for (k, part) in chunk.chunks_exact(16).enumerate() {
        // SAFETY: SSE2 is part of this build's target (the `cfg` above); the load reads
        // the 16 bytes of `part`, unaligned.
        let bits = unsafe {
            let v = _mm_loadu_si128(part.as_ptr().cast());
            let hit = _mm_or_si128(
                _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\n' as i8)),
                _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\r' as i8)),
            );
            _mm_movemask_epi8(hit) as u16
        };
        mask |= u64::from(bits) << (16 * k);
    }
    mask
}

/// Bit `k`: `chunk[k]` is `\n` or `\r` (a byte at a time, on other CPUs).
#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
fn ends_mask(chunk: &[u8; 64]) -> u64 {
    let mut mask = 0u64;
    for (k, &b) in chunk.iter().enumerate() {
        mask |= u64::from((b == b'\n') | (b == b'\r')) << k;
    }
    mask
}

impl<'a> Iterator for Lines<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        if self.done {
            return None;
        }
        let bytes = self.input.as_bytes();
        while self.mask == 0 {
            self.block += 64;
            if self.block >= bytes.len() {
                self.done = true;
                return self.input.get(self.at..);
            }
            self.mask = self.block_mask();
        }
        let i = self.block + self.mask.trailing_zeros() as usize;
        self.mask &= self.mask - 1;
        let line = self.input.get(self.at..i)?;
        self.at = i + 1;
        if bytes.get(i) == Some(&b'\r') && bytes.get(i + 1) == Some(&b'\n') {
            self.at += 1;
            // The `\n`'s bit, when it is in this block (else the next block skips it).
            self.mask &= !(1u64.checked_shl((i + 1 - self.block) as u32).unwrap_or(0));
        }
        if self.at >= bytes.len() {
            self.done = true;
        }
        Some(line)
    }
}

fn append(t: &mut Turn, text: &str, line: usize, time: Option<f64>) {
    if text.is_empty() {
        return;
    }
    if !t.text.is_empty() {
        t.text.push(' ');
    }
    if t.segments.is_empty() {
        // The turn's first line, left out while it was the only one.
        t.segments.push(Segment {
            offset: 0,
            line: t.line,
            start: t.start,
            end: None,
        });
    }
    t.segments.push(Segment {
        offset: t.text.len(),
        line,
        start: time,
        end: None,
    });
    t.text.push_str(text);
}

fn header(tr: &mut Transcript, rest: &str, line: usize) {
    let Some((key, value)) = rest.split_once(':') else {
        return; // a comment
    };
    let value = value.trim();
    let names = || -> Vec<String> {
        value
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    };
    match key.trim().to_ascii_lowercase().as_str() {
        "agent" | "agents" => {
            let mut list = tr.header_agents.take().map(|(l, _)| l).unwrap_or_default();
            list.extend(names());
            tr.header_agents = Some((list, line));
        }
        "customer" | "customers" | "caller" => tr.header_customers.extend(names()),
        "org" | "organisation" | "organization" | "company" if !value.is_empty() => {
            tr.orgs.push(value.to_string())
        }
        "title" => tr.title = Some(value.to_string()),
        _ => {} // any other `#` line is a comment
    }
}

/// Strip a leading `[00:01]`, `[00:01:02]`, `00:01` or `(00:01)` and return its seconds.
pub(crate) fn strip_timestamp(line: &str) -> (Option<f64>, &str) {
    let (open, close) = match line.as_bytes().first() {
        Some(b'[') => (1, Some(b']')),
        Some(b'(') => (1, Some(b')')),
        Some(b) if b.is_ascii_digit() => (0, None),
        _ => return (None, line),
    };
    let body_start = open;
    let bytes = line.as_bytes();
    let mut i = body_start;
    while i < bytes.len() && (bytes[i].is_ascii_digit() || matches!(bytes[i], b':' | b'.' | b',')) {
        i += 1;
    }
    let body = &line[body_start..i];
    let Some(secs) = parse_clock(body) else {
        return (None, line);
    };
    if let Some(c) = close {
        if bytes.get(i) != Some(&c) {
            return (None, line);
        }
        i += 1;
    }
    // A bare timestamp must be followed by white space (or `-`/`|` separators).
    let rest = &line[i..];
    let trimmed = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '-' || c == '|');
    if close.is_none() && trimmed.len() == rest.len() {
        return (None, line);
    }
    (Some(secs), trimmed)
}

/// `mm:ss`, `h:mm:ss`, with an optional `.fff` or `,fff` fraction, to seconds.
pub(crate) fn parse_clock(s: &str) -> Option<f64> {
    let (main, frac) = match s.find(['.', ',']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let parts: Vec<&str> = main.split(':').collect();
    if parts.len() < 2 || parts.len() > 3 {
        return None;
    }
    let mut secs = 0f64;
    for (k, p) in parts.iter().enumerate() {
        if p.is_empty() || p.len() > 3 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let v: u32 = p.parse().ok()?;
        if k > 0 && v >= 60 {
            return None;
        }
        secs = secs * 60.0 + f64::from(v);
    }
    if let Some(f) = frac {
        if f.is_empty() || f.len() > 9 || !f.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let v: f64 = f.parse().ok()?;
        secs += v / 10f64.powi(f.len() as i32);
    }
    Some(secs)
}

/// The inside of a line that is wholly `[...]`, `(...)` or `*...*`.
pub(crate) fn event_text(s: &str) -> Option<&str> {
    // Most lines start with a letter: not an event, known from the first byte.
    if s.as_bytes()
        .first()
        .is_some_and(|&b| b.is_ascii_alphanumeric())
    {
        return None;
    }
    let s = trim(s);
    let close = match s.chars().next()? {
        '[' => ']',
        '(' => ')',
        '*' => '*',
        _ => return None,
    };
    if s.len() < 2 || !s.ends_with(close) {
        return None;
    }
    Some(&s[1..s.len() - 1])
}

/// `Speaker: speech` → (speaker, speech).
pub(crate) fn split_speaker(line: &str) -> Option<(&str, &str)> {
    // ASCII names (almost all) byte by byte; anything else by characters.
    let b = line.as_bytes();
    let mut has_letter = false;
    for (i, &c) in b.iter().enumerate().take(41) {
        match c {
            b':' => return speaker_at(line, i, has_letter),
            _ if i == 40 => return None,
            c if c.is_ascii_alphabetic() => has_letter = true,
            c if c.is_ascii_digit() || matches!(c, b' ' | b'.' | b'\'' | b'-' | b'_' | b'&') => {}
            c if c >= 0x80 => return split_speaker_chars(line),
            _ => return None,
        }
    }
    None
}

/// The split of `line` at the colon at byte `i`: a speaker needs a letter and a non-empty
/// name, and the colon must end the line or be followed by white space.
fn speaker_at(line: &str, i: usize, has_letter: bool) -> Option<(&str, &str)> {
    let name = trim(&line[..i]);
    let after = &line[i + 1..];
    if name.is_empty() || !has_letter {
        return None;
    }
    // (A plain space, nearly always, is judged without decoding a character.)
    if !(after.is_empty() || after.starts_with(' ') || after.starts_with(char::is_whitespace)) {
        return None;
    }
    Some((name, after))
}

/// [`split_speaker`] for a line whose name may hold non-ASCII characters.
fn split_speaker_chars(line: &str) -> Option<(&str, &str)> {
    let mut chars = 0;
    let mut has_letter = false;
    for (i, c) in line.char_indices() {
        if c == ':' {
            return speaker_at(line, i, has_letter);
        }
        chars += 1;
        if chars > 40 {
            return None;
        }
        if c.is_alphabetic() {
            has_letter = true;
        } else if !(c.is_numeric() || matches!(c, ' ' | '.' | '\'' | '’' | '-' | '_' | '&')) {
            return None;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Transcript {
        parse_text(s, &Limits::default()).unwrap()
    }

    #[test]
    fn ascii_speaker_split_equals_the_char_by_char_one() {
        const PIECES: &[&str] = &[
            "a", "Z", "7", " ", ":", ".", "'", "-", "_", "&", "!", "é", "’", "\t", "Agent", "x",
        ];
        let mut rng = crate::testing::Rng::new(0x2545_F491_4F6C_DD1D);
        let mut split = 0;
        for _ in 0..20_000 {
            let line = rng.text(PIECES, 50);
            assert_eq!(split_speaker(&line), split_speaker_chars(&line), "{line:?}");
            split += usize::from(split_speaker(&line).is_some());
        }
        assert!(split > 300, "only {split} lines had a speaker");
    }

    /// The line splitting before session 14 (a search per line), the reference.
    fn lines_by_search(input: &str) -> Vec<&str> {
        let mut out = Vec::new();
        let mut rest = input;
        while !rest.is_empty() {
            match memchr::memchr2(b'\n', b'\r', rest.as_bytes()) {
                Some(i) => {
                    out.push(&rest[..i]);
                    let skip = if rest[i..].starts_with("\r\n") { 2 } else { 1 };
                    rest = &rest[i + skip..];
                }
                None => {
                    out.push(rest);
                    break;
                }
            }
        }
        out
    }

    #[test]
    fn lines_split_as_a_search_per_line_does() {
        const PIECES: &[&str] = &["a", "bc", " ", "\n", "\r", "\r\n", "\n\n", "é", "x"];
        let mut rng = crate::testing::Rng::new(0x9E37_79B9_7F4A_7C15);
        for round in 0..20_000 {
            // Up to ~300 bytes: several blocks, a `\r\n` across a block boundary.
            let mut text = rng.text(PIECES, 1 + round % 150);
            if round % 7 == 0 {
                text = format!("{}\r\n{}", "y".repeat(63 - round % 3), text);
            }
            assert_eq!(
                lines(&text).collect::<Vec<_>>(),
                lines_by_search(&text),
                "{text:?}"
            );
        }
        for text in ["", "\n", "\r\n", "a", "a\n", "\n\na", "a\r", "\r\r\n"] {
            assert_eq!(
                lines(text).collect::<Vec<_>>(),
                lines_by_search(text),
                "{text:?}"
            );
        }
    }

    #[test]
    fn merges_lines_of_one_speaker_and_continuations() {
        let t = p(
            "[00:00] Agent: Good morning,\nthis is Chris.\nAgent: How can I help?\nCustomer: Hi.",
        );
        assert_eq!(t.turns.len(), 2);
        assert_eq!(
            t.turns[0].text,
            "Good morning, this is Chris. How can I help?"
        );
        assert_eq!(t.turns[0].start, Some(0.0));
        assert_eq!(t.turns[0].line_at(15), 2);
        assert_eq!(t.turns[0].line_at(30), 3);
        assert_eq!(t.turns[1].line, 4);
    }

    #[test]
    fn headers_events_and_comments() {
        let t = p("# agent: Jo, Sam\n# org: Prism\n# a comment\nJo: Hi\n[Jo hangs up]\nBarbara: (sighs)\n");
        assert_eq!(t.header_agents, Some((vec!["Jo".into(), "Sam".into()], 1)));
        assert_eq!(t.orgs, vec!["Prism".to_string()]);
        assert_eq!(t.events.len(), 2);
        assert_eq!(t.events[0].text, "Jo hangs up");
        assert_eq!(t.events[0].after_turns, 1);
        assert_eq!(t.events[1].text, "Barbara sighs");
    }

    #[test]
    fn timestamps_in_every_form() {
        for (line, secs) in [
            ("[00:01] A: x", 1.0),
            ("[01:00:02] A: x", 3602.0),
            ("00:05 A: x", 5.0),
            ("(00:07) A: x", 7.0),
            ("[00:01.5] A: x", 1.5),
        ] {
            let t = p(line);
            assert_eq!(t.turns[0].start, Some(secs), "{line}");
            assert_eq!(t.turns[0].speaker, "A");
        }
    }

    #[test]
    fn speech_with_trailing_annotation_is_speech() {
        let t = p("[00:03] Agent: hello this is Acme [noise]");
        assert_eq!(t.turns.len(), 1);
        assert!(t.events.is_empty());
    }

    #[test]
    fn not_speakers() {
        assert_eq!(split_speaker("It is 10:30 now"), None);
        assert_eq!(split_speaker("see http://x.y"), None);
        assert_eq!(split_speaker("12: hi"), None);
        assert_eq!(
            split_speaker("Dr. O'Neil-Smith: hi"),
            Some(("Dr. O'Neil-Smith", " hi"))
        );
    }

    #[test]
    fn cr_and_crlf_line_endings() {
        let t = p("A: one\r\nB: two\rA: three\r");
        assert_eq!(t.turns.len(), 3);
        assert_eq!(t.turns[2].line, 3);
    }

    #[test]
    fn long_lines_are_rejected() {
        let limits = Limits {
            max_line_bytes: 10,
            ..Limits::default()
        };
        let e = parse_text("A: short\nB: this line is too long", &limits).unwrap_err();
        assert_eq!(e.line(), Some(2));
    }
}
