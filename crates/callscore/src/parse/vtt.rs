//! WebVTT reader.
//!
//! Written by hand: the subtitle crates on crates.io either drop voice tags (`<v Name>`),
//! which carry the speaker, or do not report line numbers for errors; the part of WebVTT
//! a transcript needs (cue blocks, timings, voice tags, NOTE / STYLE / REGION blocks, inline
//! tags) is small. A cue's speaker is its `<v Speaker>` voice tag, else a leading
//! `Speaker:` (or `[Speaker]`); a cue with neither continues the previous speaker (or is
//! `Unknown` at the start). Cue settings after the timing are ignored; empty cues are
//! skipped; an invalid timing is an error naming its line.

use super::timed::{blocks, cue_lines, parse_timing, Cues};
use super::Limits;
use crate::error::{Error, Result};
use crate::transcript::Transcript;

/// Parse a WebVTT file.
pub fn parse_vtt(input: &str, limits: &Limits) -> Result<Transcript> {
    let all = cue_lines(input, limits)?;
    if !all
        .first()
        .is_some_and(|l| l.trim_start_matches('\u{feff}').starts_with("WEBVTT"))
    {
        return Err(Error::Format {
            format: "WebVTT",
            message: "a WebVTT file must start with `WEBVTT`".into(),
            line: Some(1),
        });
    }
    let mut cues = Cues::default();
    for (block_start, end) in blocks(&all, 1) {
        let first = all[block_start].trim();
        let word = first.split_whitespace().next().unwrap_or("");
        if matches!(word, "NOTE" | "STYLE" | "REGION") {
            continue;
        }
        // An optional cue identifier, then the timing line.
        let timing_at = if first.contains("-->") {
            block_start
        } else if block_start + 1 < end && all[block_start + 1].contains("-->") {
            block_start + 1
        } else {
            return Err(Error::Format {
                format: "WebVTT",
                message: format!(
                    "expected a cue timing line (`00:00:01.000 --> 00:00:04.000`), found {first:?}"
                ),
                line: Some(block_start + 1),
            });
        };
        let (start, stop) = parse_timing("WebVTT", all[timing_at], timing_at + 1)?;
        let text = &all[timing_at + 1..end];
        let voice = voice_tag(&text.join(" "));
        cues.push(voice, text, start, stop, timing_at + 2);
    }
    Ok(cues.finish())
}

/// The speaker of a `<v Speaker>` or `<v.class Speaker>` voice tag.
fn voice_tag(s: &str) -> Option<String> {
    let at = s.find("<v")?;
    let rest = &s[at + 2..];
    let inner = &rest[..rest.find('>')?];
    let name = if let Some(classed) = inner.strip_prefix('.') {
        classed.split_once(char::is_whitespace)?.1
    } else if inner.starts_with(char::is_whitespace) {
        inner
    } else {
        return None;
    };
    let name = name.trim();
    (!name.is_empty()).then(|| name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn voice_tags_settings_notes_and_multiline() {
        let src = "WEBVTT\n\nNOTE a comment\nspanning lines\n\nSTYLE\n::cue { color: red }\n\n1\n00:00:00.500 --> 00:00:03.000 align:start\n<v Agent>Good morning, <i>Acme</i>,\nJo speaking.</v>\n\n00:00:03.500 --> 00:00:05.000\n<v.loud Customer>Hi &amp; hello\n\n01:00:05.000 --> 01:00:06.000\nAgent: over an hour\n";
        let t = parse_vtt(src, &Limits::default()).unwrap();
        assert_eq!(t.turns.len(), 3);
        assert_eq!(t.turns[0].speaker, "Agent");
        assert_eq!(t.turns[0].text, "Good morning, Acme, Jo speaking.");
        assert_eq!((t.turns[0].start, t.turns[0].end), (Some(0.5), Some(3.0)));
        assert_eq!(t.turns[1].text, "Hi & hello");
        assert_eq!(t.turns[1].speaker, "Customer");
        assert_eq!(t.turns[2].start, Some(3605.0));
    }

    #[test]
    fn bad_timing_names_its_line() {
        let e = parse_vtt(
            "WEBVTT\n\n00:00:01.000 --> 00:00:xx.000\nAgent: hi\n",
            &Limits::default(),
        )
        .unwrap_err();
        assert_eq!(e.line(), Some(3));
        let e = parse_vtt(
            "WEBVTT\n\n00:00:05.000 --> 00:00:01.000\nAgent: hi\n",
            &Limits::default(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("ends"), "{e}");
    }
}
