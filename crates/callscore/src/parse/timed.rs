//! What the timed readers (WebVTT, SRT, JSON) share: utterances in, turns out.

use super::Limits;
use crate::error::{Error, Result};
use crate::transcript::{AgentBy, AgentInfo, Role, Segment, Transcript, Turn};

/// One timed utterance as a reader found it.
#[derive(Debug, Clone)]
pub(crate) struct Utterance {
    pub speaker: String,
    pub text: String,
    pub start: f64,
    pub end: f64,
    /// 1-based source line (or item number).
    pub line: usize,
    /// The role, when the file says it (Amazon Transcribe's ParticipantRole).
    pub role: Option<Role>,
}

/// Largest accepted time (about 11.5 days): beyond it a number is a mistake, not a call.
const MAX_TIME: f64 = 1.0e6;

/// Check one utterance's times.
pub(crate) fn check_times(format: &'static str, start: f64, end: f64, line: usize) -> Result<()> {
    let bad = |message: String| Error::Format {
        format,
        message,
        line: Some(line),
    };
    if !start.is_finite()
        || !end.is_finite()
        || start < 0.0
        || end < 0.0
        || start > MAX_TIME
        || end > MAX_TIME
    {
        return Err(bad(format!("time out of range (start {start}, end {end})")));
    }
    if end < start {
        return Err(bad(format!(
            "the utterance ends ({end:.3} s) before it starts ({start:.3} s)"
        )));
    }
    Ok(())
}

/// Build turns: sort utterances by start time (diarization output can be out of order or
/// overlap), drop empty ones, and merge consecutive utterances of one speaker into a turn,
/// keeping each utterance's times as a segment.
pub(crate) fn build(mut utts: Vec<Utterance>, warnings: Vec<String>) -> Transcript {
    let mut t = Transcript::empty();
    t.warnings = warnings;
    let sorted = utts.windows(2).all(|w| w[0].start <= w[1].start);
    if !sorted {
        utts.sort_by(|a, b| a.start.total_cmp(&b.start));
        t.warnings
            .push("utterances were not in time order; they were sorted by start time".to_string());
    }
    let file_roles = !utts.is_empty() && utts.iter().all(|u| u.role.is_some());
    for u in utts {
        let text = u.text.trim();
        if text.is_empty() {
            continue;
        }
        match t.turns.last_mut() {
            Some(last) if last.speaker == u.speaker => {
                last.text.push(' ');
                last.segments.push(Segment {
                    offset: last.text.len(),
                    line: u.line,
                    start: Some(u.start),
                    end: Some(u.end),
                });
                last.text.push_str(text);
                last.end = Some(last.end.map_or(u.end, |e| e.max(u.end)));
            }
            _ => t.turns.push(Turn {
                index: t.turns.len(),
                speaker: u.speaker,
                role: u.role.unwrap_or_default(),
                text: text.to_string(),
                line: u.line,
                start: Some(u.start),
                end: Some(u.end),
                segments: vec![Segment {
                    offset: 0,
                    line: u.line,
                    start: Some(u.start),
                    end: Some(u.end),
                }],
            }),
        }
    }
    if file_roles {
        t.agent = Some(AgentInfo {
            speakers: t
                .speakers()
                .into_iter()
                .filter(|s| {
                    t.turns
                        .iter()
                        .any(|x| &x.speaker == s && x.role == Role::Agent)
                })
                .collect(),
            by: AgentBy::File,
        });
    }
    t
}

/// Parse `hh:mm:ss.ttt`, `mm:ss.ttt` (WebVTT) or `hh:mm:ss,ttt` (SRT) to seconds.
pub(crate) fn parse_cue_time(s: &str) -> Option<f64> {
    let s = s.trim();
    let (main, frac) = s.split_once(['.', ','])?;
    if frac.is_empty() || frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let parts: Vec<&str> = main.split(':').collect();
    if !(2..=3).contains(&parts.len()) {
        return None;
    }
    let mut secs = 0f64;
    for (k, p) in parts.iter().enumerate() {
        if p.is_empty() || p.len() > 4 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let v: u32 = p.parse().ok()?;
        if k > 0 && v >= 60 {
            return None;
        }
        secs = secs * 60.0 + f64::from(v);
    }
    let f: f64 = frac.parse().ok()?;
    Some(secs + f / 10f64.powi(frac.len() as i32))
}

/// A cue timing line `START --> END [settings]` to seconds.
pub(crate) fn parse_timing(format: &'static str, line: &str, line_no: usize) -> Result<(f64, f64)> {
    let bad = || Error::Format {
        format,
        message: format!(
            "invalid cue timing {:?}: expected `00:00:01.000 --> 00:00:04.000`",
            line.trim()
        ),
        line: Some(line_no),
    };
    let (a, rest) = line.split_once("-->").ok_or_else(bad)?;
    let b = rest.split_whitespace().next().ok_or_else(bad)?;
    let start = parse_cue_time(a).ok_or_else(bad)?;
    let end = parse_cue_time(b).ok_or_else(bad)?;
    check_times(format, start, end, line_no)?;
    Ok((start, end))
}

/// Remove `<...>` tags and decode the common HTML entities of subtitle files.
pub(crate) fn strip_tags(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", " ")
        .replace("&lrm;", "")
        .replace("&rlm;", "")
        .replace("&amp;", "&")
}

/// Split a cue's text into (speaker, words): `Speaker: words` or `[Speaker] words`.
pub(crate) fn cue_speaker(text: &str) -> Option<(String, String)> {
    let t = text.trim();
    if let Some(rest) = t.strip_prefix('[') {
        if let Some((name, words)) = rest.split_once(']') {
            let name = name.trim();
            if !name.is_empty()
                && name.chars().count() <= 40
                && name.chars().any(char::is_alphabetic)
            {
                let words = words.trim_start().trim_start_matches(':').trim();
                return Some((name.to_string(), words.to_string()));
            }
        }
    }
    super::text::split_speaker(t).map(|(s, w)| (s.to_string(), w.trim().to_string()))
}

/// The lines of a cue file (WebVTT, SRT), refusing over-long ones.
pub(crate) fn cue_lines<'a>(input: &'a str, limits: &Limits) -> Result<Vec<&'a str>> {
    let all: Vec<&str> = super::text::lines(input).collect();
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
    Ok(all)
}

/// Blank-line separated blocks of `all[from..]`, as `[start, end)` line ranges.
pub(crate) fn blocks(all: &[&str], from: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = from;
    while i < all.len() {
        if all[i].trim().is_empty() {
            i += 1;
            continue;
        }
        let start = i;
        while i < all.len() && !all[i].trim().is_empty() {
            i += 1;
        }
        out.push((start, i));
    }
    out
}

/// Turns cues into utterances: the speaker is the cue's voice tag, else a leading
/// `Speaker:` / `[Speaker]`, else the previous cue's speaker (`Unknown` at the start).
#[derive(Default)]
pub(crate) struct Cues {
    utts: Vec<Utterance>,
    last_speaker: Option<String>,
}

impl Cues {
    /// Add one cue: its text lines (tags still in), times and 1-based text line.
    pub(crate) fn push(
        &mut self,
        voice: Option<String>,
        text_lines: &[&str],
        start: f64,
        end: f64,
        line: usize,
    ) {
        let raw = text_lines
            .iter()
            .map(|l| l.trim())
            .collect::<Vec<_>>()
            .join(" ");
        let plain = strip_tags(&raw);
        let (speaker, words) = match voice {
            Some(v) => (v, plain.trim().to_string()),
            None => cue_speaker(&plain).unwrap_or_else(|| {
                let s = self
                    .last_speaker
                    .clone()
                    .unwrap_or_else(|| "Unknown".to_string());
                (s, plain.trim().to_string())
            }),
        };
        if words.is_empty() {
            return; // an empty cue
        }
        self.last_speaker = Some(speaker.clone());
        self.utts.push(Utterance {
            speaker,
            text: words,
            start,
            end,
            line,
            role: None,
        });
    }

    /// The transcript.
    pub(crate) fn finish(self) -> Transcript {
        build(self.utts, Vec::new())
    }
}
