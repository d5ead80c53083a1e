//! SRT reader.
//!
//! Written by hand for the same reasons as the WebVTT reader (speaker conventions and
//! located errors). Blocks are: a cue number, a timing line `00:00:01,000 --> 00:00:04,000`,
//! and text lines that start with `Speaker:` or `[Speaker]`; a cue with no speaker continues
//! the previous one. Formatting tags (`<i>`, `<font>`) are removed.

use super::timed::{blocks, cue_lines, parse_timing, Cues};
use super::Limits;
use crate::error::{Error, Result};
use crate::transcript::Transcript;

/// Parse an SRT file.
pub fn parse_srt(input: &str, limits: &Limits) -> Result<Transcript> {
    let all = cue_lines(input, limits)?;
    let mut cues = Cues::default();
    for (start_at, end) in blocks(&all, 0) {
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
        cues.push(None, &all[timing_at + 1..end], start, stop, timing_at + 2);
    }
    Ok(cues.finish())
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
