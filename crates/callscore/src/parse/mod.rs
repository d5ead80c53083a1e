//! Readers: bytes and text in, [`Transcript`] out.
//!
//! [`decode`] turns raw bytes into text (UTF-8, UTF-8 with BOM, UTF-16 with BOM; NUL
//! bytes and invalid UTF-8 are located errors unless `lossy`), and [`read`] dispatches
//! on the [`Format`]. Every reader enforces the [`Limits`].

mod json;
mod srt;
mod text;
mod timed;
mod vtt;

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::transcript::Transcript;

pub use json::parse_json;
pub use srt::parse_srt;
pub use text::parse_text;
pub use vtt::parse_vtt;

/// Input size limits. Inputs over them are rejected with a clear error instead of
/// slowing a batch down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted input in bytes (default 50 MiB).
    pub max_bytes: usize,
    /// Longest accepted line in bytes for line-based formats (default 1 MiB).
    pub max_line_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 50 * 1024 * 1024,
            max_line_bytes: 1024 * 1024,
        }
    }
}

/// A transcript file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Format {
    /// Decide from the content ([`Format::detect`]).
    #[default]
    Auto,
    /// The plain text format of the rubric.
    Text,
    /// WebVTT subtitles (`WEBVTT` header, cues with `<v Speaker>` or `Speaker:`).
    Vtt,
    /// SRT subtitles (numbered cues whose text starts with `Speaker:` or `[Speaker]`).
    Srt,
    /// A speech-to-text JSON export (see [`parse_json`] for the shapes).
    Json,
}

impl Format {
    /// Parse a format name as used on the command line and in Python.
    pub fn from_name(name: &str) -> Option<Format> {
        match name.to_ascii_lowercase().as_str() {
            "auto" => Some(Format::Auto),
            "text" | "txt" => Some(Format::Text),
            "vtt" | "webvtt" => Some(Format::Vtt),
            "srt" => Some(Format::Srt),
            "json" => Some(Format::Json),
            _ => None,
        }
    }

    /// The format a file extension names, if it names one. `.txt` names none: tools save
    /// WebVTT, SRT and JSON exports as `.txt` too, so there the content decides
    /// ([`Format::detect`], whose fallback is the text format).
    pub fn from_extension(ext: &str) -> Option<Format> {
        match ext.to_ascii_lowercase().as_str() {
            "vtt" => Some(Format::Vtt),
            "srt" => Some(Format::Srt),
            "json" => Some(Format::Json),
            _ => None,
        }
    }

    /// Decide the format from the content: `WEBVTT` → WebVTT; a number line followed by a
    /// `-->` timing line → SRT; an object or a list of objects → JSON; else text.
    pub fn detect(input: &str) -> Format {
        let s = input.trim_start_matches('\u{feff}').trim_start();
        if s.starts_with("WEBVTT") {
            return Format::Vtt;
        }
        // SubRip: a cue number, then a line with `-->` (looked for only after a number).
        let mut it = s.lines().map(str::trim).filter(|l| !l.is_empty());
        if it
            .next()
            .is_some_and(|a| a.bytes().all(|c| c.is_ascii_digit()))
            && it.next().is_some_and(|b| b.contains("-->"))
        {
            return Format::Srt;
        }
        let rest = s.get(1..).unwrap_or("").trim_start();
        if s.starts_with('{') && (rest.starts_with('"') || rest.starts_with('}'))
            || s.starts_with('[')
                && (rest.starts_with('{') || rest.starts_with(']') || rest.starts_with('['))
        {
            return Format::Json;
        }
        Format::Text
    }

    /// The format's name.
    pub fn name(self) -> &'static str {
        match self {
            Format::Auto => "auto",
            Format::Text => "text",
            Format::Vtt => "vtt",
            Format::Srt => "srt",
            Format::Json => "json",
        }
    }
}

/// Read a transcript from text in the given format.
pub fn read(input: &str, format: Format, limits: &Limits) -> Result<Transcript> {
    read_with(input, format, limits, &mut Spare::default())
}

/// [`read`], the text reader making its turns of `spare`'s.
pub(crate) fn read_with(
    input: &str,
    format: Format,
    limits: &Limits,
    spare: &mut Spare,
) -> Result<Transcript> {
    if input.len() > limits.max_bytes {
        return Err(Error::TooLarge {
            size: input.len(),
            limit: limits.max_bytes,
        });
    }
    let input = input.strip_prefix('\u{feff}').unwrap_or(input);
    let format = match format {
        Format::Auto => Format::detect(input),
        f => f,
    };
    match format {
        Format::Auto | Format::Text => text::parse_text_with(input, limits, spare),
        Format::Vtt => parse_vtt(input, limits),
        Format::Srt => parse_srt(input, limits),
        Format::Json => parse_json(input),
    }
}

/// Turns of transcripts already scored, kept (per thread, by [`crate::Ruleset::score`])
/// so that the next transcript's turns reuse their strings' memory instead of allocating
/// two strings a turn (a STAR call has 17 turns: 35 of its 87 allocations were these).
/// Bounded: at most [`Spare::MAX_TURNS`] turns, none holding more than [`Spare::MAX_TEXT`]
/// bytes of text or [`Spare::MAX_SEGMENTS`] segments (under 2 MB a thread at worst; a few
/// KB for calls like STAR's).
#[derive(Debug, Default)]
pub(crate) struct Spare {
    /// Turns to reuse, in no order.
    turns: Vec<crate::transcript::Turn>,
    /// An empty list with room, for the next transcript's turns.
    list: Vec<crate::transcript::Turn>,
}

impl Spare {
    /// The most turns kept.
    const MAX_TURNS: usize = 1024;
    /// The longest turn text (or speaker name) whose memory is kept, in bytes.
    const MAX_TEXT: usize = 512;
    /// The most segments whose memory is kept, per turn.
    const MAX_SEGMENTS: usize = 16;

    /// A turn with these values, made of a spare one when there is one.
    pub(crate) fn turn(
        &mut self,
        index: usize,
        speaker: &str,
        text: &str,
        line: usize,
        start: Option<f64>,
    ) -> crate::transcript::Turn {
        match self.turns.pop() {
            Some(mut t) => {
                t.index = index;
                t.speaker.clear();
                t.speaker.push_str(speaker);
                t.role = Default::default();
                t.text.clear();
                t.text.push_str(text);
                t.line = line;
                t.start = start;
                t.end = None;
                t.segments.clear();
                t
            }
            None => crate::transcript::Turn {
                index,
                speaker: speaker.to_string(),
                role: Default::default(),
                text: text.to_string(),
                line,
                start,
                end: None,
                // A one-line turn needs no segments (see the text reader's `append`).
                segments: Vec::new(),
            },
        }
    }

    /// Keep a scored transcript's turns (and their list) for the next one.
    pub(crate) fn keep(&mut self, mut turns: Vec<crate::transcript::Turn>) {
        turns.retain(|t| {
            t.text.capacity() <= Self::MAX_TEXT
                && t.speaker.capacity() <= Self::MAX_TEXT
                && t.segments.capacity() <= Self::MAX_SEGMENTS
        });
        let room = Self::MAX_TURNS.saturating_sub(self.turns.len());
        turns.truncate(room);
        self.turns.append(&mut turns);
        if turns.capacity() <= Self::MAX_TURNS {
            self.list = turns;
        }
    }
}

/// Decode raw bytes to text.
///
/// UTF-8 (with or without BOM) is taken as is; UTF-16 LE/BE with a BOM is decoded. A NUL
/// byte in UTF-8 input is a [`Error::Binary`] error; invalid UTF-8 is an
/// [`Error::InvalidUtf8`] error naming the byte offset and line, unless `lossy` is set, in
/// which case bad bytes become U+FFFD and a warning says how many were replaced.
pub fn decode(bytes: &[u8], lossy: bool) -> Result<(Cow<'_, str>, Vec<String>)> {
    let mut warnings = Vec::new();
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return decode_utf16(rest, u16::from_le_bytes, lossy).map(|s| (Cow::Owned(s), warnings));
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return decode_utf16(rest, u16::from_be_bytes, lossy).map(|s| (Cow::Owned(s), warnings));
    }
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    if let Some(offset) = bytes.iter().position(|&b| b == 0) {
        if !lossy {
            return Err(Error::Binary {
                offset,
                line: line_of(bytes, offset),
            });
        }
    }
    match std::str::from_utf8(bytes) {
        Ok(s) if !s.contains('\0') => Ok((Cow::Borrowed(s), warnings)),
        Ok(s) => {
            warnings.push("NUL bytes were removed".to_string());
            Ok((Cow::Owned(s.replace('\0', "")), warnings))
        }
        Err(e) if !lossy => {
            let offset = e.valid_up_to();
            Err(Error::InvalidUtf8 {
                offset,
                line: line_of(bytes, offset),
            })
        }
        Err(_) => {
            let s = String::from_utf8_lossy(bytes).replace('\0', "");
            let bad = s.matches('\u{FFFD}').count();
            warnings.push(format!(
                "input was not valid UTF-8: {bad} invalid byte sequence(s) replaced with U+FFFD"
            ));
            Ok((Cow::Owned(s), warnings))
        }
    }
}

fn decode_utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16, lossy: bool) -> Result<String> {
    let units = bytes
        .chunks(2)
        .map(|c| unit([c[0], *c.get(1).unwrap_or(&0)]));
    let mut out = String::with_capacity(bytes.len() / 2);
    for (i, r) in char::decode_utf16(units).enumerate() {
        match r {
            Ok(c) => out.push(c),
            Err(_) if lossy => out.push('\u{FFFD}'),
            Err(_) => {
                return Err(Error::Format {
                    format: "UTF-16",
                    message: format!("invalid UTF-16 at byte {}", 2 + 2 * i),
                    line: Some(out.matches('\n').count() + 1),
                })
            }
        }
    }
    Ok(out)
}

fn line_of(bytes: &[u8], offset: usize) -> usize {
    bytes[..offset.min(bytes.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_utf8_is_located() {
        let e = decode(b"A: hi\nB: caf\xe9\n", false).unwrap_err();
        assert_eq!(
            e,
            Error::InvalidUtf8 {
                offset: 12,
                line: 2
            }
        );
        let (s, w) = decode(b"A: hi\nB: caf\xe9\n", true).unwrap();
        assert!(s.contains('\u{FFFD}'));
        assert_eq!(w.len(), 1);
    }

    #[test]
    fn utf16_with_bom_is_decoded() {
        let mut b = vec![0xFF, 0xFE];
        for u in "A: hi".encode_utf16() {
            b.extend(u.to_le_bytes());
        }
        assert_eq!(decode(&b, false).unwrap().0, "A: hi");
    }

    #[test]
    fn nul_is_binary() {
        assert_eq!(decode(b"A: x\n\0\0", false).unwrap_err().kind(), "binary");
    }
}
