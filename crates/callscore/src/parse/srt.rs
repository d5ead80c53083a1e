//! SRT reader.
//!
//! Written by hand for the same reasons as the WebVTT reader (speaker conventions and
//! located errors). Blocks are: a cue number, a timing line `00:00:01,000 --> 00:00:04,000`,
//! and text lines that start with `Speaker:` or `[Speaker]`; a cue with no speaker continues
//! the previous one. Formatting tags (`<i>`, `<font>`) are removed.

use super::text::lines;
use super::timed::{cue_speaker, parse_timing, strip_tags, Utterance};
use super::Limits;
use crate::error::{Error, Result};
use crate::transcript::Transcript;

/// Parse an SRT file.
pub fn parse_srt(input: &str, limits: &Limits) -> Result<Transcript> {
    let all: Vec<&str> = lines(input).collect();
    if let Some((i, l)) = all
        .iter()
        .enumerate()
        .find(|(_, l)| l.len() > limits.max_line_bytes)
    {
        return Err(Error::LineTooLong {
            line: i + 1,
            length: l.len(),
            limit: limits.max_line_bytes,
        });
    }
    let mut utts = Vec::new();
    let mut last_speaker: Option<String> = None;
    let mut i = 0;
    while i < all.len() {
        if all[i].trim().is_empty() {
            i += 1;
            continue;
        }
        let start_at = i;
        let mut end = i;
        while end < all.len() && !all[end].trim().is_empty() {
            end += 1;
        }
        i = end;
        let first = all[start_at].trim().trim_start_matches('\u{feff}');
        let timing_at = if first.contains("-->") {
            start_at
        } else if first.bytes().all(|b| b.is_ascii_digit())
            && start_at + 1 < end
            && all[start_at + 1].contains("-->")
        {
            start_at + 1
        } else {
            return Err(Error::Format {
                format: "SRT",
                message: format!("expected a cue number and timing (`00:00:01,000 --> 00:00:04,000`), found {first:?}"),
                line: Some(start_at + 1),
            });
        };
        let (start, stop) = parse_timing("SRT", all[timing_at], timing_at + 1)?;
        let raw = all[timing_at + 1..end]
            .iter()
            .map(|l| l.trim())
            .collect::<Vec<_>>()
            .join(" ");
        let plain = strip_tags(&raw);
        let (speaker, words) = match cue_speaker(&plain) {
            Some(sw) => sw,
            None => (
                last_speaker
                    .clone()
                    .unwrap_or_else(|| "Unknown".to_string()),
                plain.trim().to_string(),
            ),
        };
        if words.is_empty() {
            continue;
        }
        last_speaker = Some(speaker.clone());
        utts.push(Utterance {
            speaker,
            text: words,
            start,
            end: stop,
            line: timing_at + 2,
            role: None,
        });
    }
    Ok(super::timed::build(utts, Vec::new()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cues_with_speakers_and_brackets() {
        let src = "\u{feff}1\r\n00:00:01,000 --> 00:00:03,500\r\nAgent: Hello, <i>Acme</i>.\r\n\r\n2\r\n00:00:04,000 --> 00:00:05,000\r\n[Customer] Hi there\r\nsecond line\r\n\r\n3\r\n00:00:05,000 --> 00:00:06,000\r\nand more\r\n";
        let t = parse_srt(src, &Limits::default()).unwrap();
        assert_eq!(t.turns.len(), 2);
        assert_eq!(t.turns[0].text, "Hello, Acme.");
        assert_eq!(t.turns[1].speaker, "Customer");
        assert_eq!(t.turns[1].text, "Hi there second line and more");
        assert_eq!(t.turns[1].end, Some(6.0));
    }

    #[test]
    fn bad_block_names_its_line() {
        let e = parse_srt(
            "1\n00:00:01,000 --> 00:00:02,000\nA: hi\n\nnonsense\n",
            &Limits::default(),
        )
        .unwrap_err();
        assert_eq!(e.line(), Some(5));
    }
}
