//! The phrase language: how trainers write what to listen for.
//!
//! A phrase is plain text, matched on whole words, case-insensitively, against folded
//! speech (see [`crate::fold`]):
//!
//! | you write | it matches |
//! |---|---|
//! | `thank you` | `Thank you`, `thank-you`, `THANK YOU`, `no, thank you` (words may be separated by a space, `, `, `; ` or `-`) |
//! | `good (morning\|afternoon\|day)` | any of the alternatives; `(very )?` makes a part optional |
//! | `you've reached` | `you've reached`, `youve reached`, `you have reached` (contractions fold both ways: `'s`=` is`, `'re`=` are`, `'ve`=` have`, `'ll`=` will`, `'m`=` am`, `'d`=` would`, `n't`=` not`) |
//! | `my name is` | also `my name's` |
//! | `{name}` | one word that can be a person's name (not a common word; capitalised when the transcript uses capitals) |
//! | `{org}` | one of the ruleset's organisation names |
//! | `{number}` | a phone number (7 or more digits, spaces, dashes, brackets) |
//! | `{word}` | any one word |
//! | `re:...` | a regular expression over folded (lower-case) text, for experts; `\b` is an ASCII word boundary; a group named `name` is checked like `{name}` |

use std::fmt::Write as _;

/// A separator between two words of a phrase.
const SEP: &str = "(?:[,;:]? |-)";

/// What the placeholders of a phrase expand to.
#[derive(Debug, Default, Clone)]
pub struct PhraseEnv {
    /// Organisation names for `{org}`.
    pub orgs: Vec<String>,
}

/// A phrase compiled to a regular expression over folded text.
#[derive(Debug, Clone, PartialEq)]
pub struct Compiled {
    /// The regex source.
    pub regex: String,
    /// True when the regex has a group named `name` to be checked as a person's name.
    pub has_name: bool,
}

/// Compile one phrase. The error is a plain-words description of what is wrong.
pub fn compile(phrase: &str, env: &PhraseEnv) -> Result<Compiled, String> {
    if let Some(re) = phrase.strip_prefix("re:") {
        let regex = ascii_boundaries(re);
        let has_name = regex.contains("(?P<name>") || regex.contains("(?<name>");
        return Ok(Compiled { regex, has_name });
    }
    let norm = normalise(phrase);
    if norm.trim().is_empty() {
        return Err("the phrase is empty".to_string());
    }
    let mut p = Parser {
        s: norm.trim(),
        pos: 0,
        env,
        names: 0,
    };
    let body = p.alternatives()?;
    if p.pos < p.s.len() {
        return Err(format!("unexpected `{}`", &p.s[p.pos..p.pos + 1]));
    }
    if p.names > 1 {
        return Err("a phrase may use {name} only once".to_string());
    }
    Ok(Compiled {
        regex: format!(r"(?-u:\b{{start-half}}){body}(?-u:\b{{end-half}})"),
        has_name: p.names == 1,
    })
}

/// Replace `\b` (not `\b{...}`) by an ASCII word boundary, so the fast DFA engines can
/// run on non-ASCII text.
fn ascii_boundaries(re: &str) -> String {
    let mut out = String::with_capacity(re.len() + 16);
    let b = re.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 1 < b.len() {
            if b[i + 1] == b'b' && b.get(i + 2) != Some(&b'{') {
                out.push_str("(?-u:\\b)");
            } else {
                out.push_str(&re[i..i + 2]);
            }
            i += 2;
            continue;
        }
        let c = re[i..].chars().next().unwrap_or(' ');
        out.push(c);
        i += c.len_utf8().max(1);
    }
    out
}

/// Lower-case and fold typography, keeping the phrase syntax characters.
fn normalise(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        let c = match c {
            '\u{2018}' | '\u{2019}' | '\u{201B}' | '\u{02BC}' => '\'',
            '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
            c => c,
        };
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        out.extend(c.to_lowercase());
    }
    out
}

struct Parser<'a> {
    s: &'a str,
    pos: usize,
    env: &'a PhraseEnv,
    names: usize,
}

/// Contractions that a following word can take.
fn reverse_contraction(word: &str) -> Option<&'static str> {
    Some(match word {
        "is" => "'?s",
        "are" => "'?re",
        "have" => "'?ve",
        "will" => "'?ll",
        "am" => "'?m",
        "would" | "had" => "'?d",
        "not" => "n'?t",
        _ => return None,
    })
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.s[self.pos..].chars().next()
    }

    fn alternatives(&mut self) -> Result<String, String> {
        let mut alts = vec![self.sequence()?];
        while self.peek() == Some('|') {
            self.pos += 1;
            alts.push(self.sequence()?);
        }
        Ok(if alts.len() == 1 {
            alts.pop().unwrap_or_default()
        } else {
            format!("(?:{})", alts.join("|"))
        })
    }

    fn sequence(&mut self) -> Result<String, String> {
        let mut out = String::new();
        let mut prev_word = false;
        loop {
            match self.peek() {
                None | Some('|') | Some(')') => break,
                Some(' ') => {
                    self.pos += 1;
                    // Fold `X is` with `X's`, and so on.
                    let save = self.pos;
                    let word = self.word();
                    if let (true, Some(c)) = (prev_word, reverse_contraction(&word)) {
                        let _ = write!(out, "(?:{SEP}{}|{c})", regex::escape(&word));
                        prev_word = true;
                        continue;
                    }
                    self.pos = save;
                    if self.peek() == Some(' ') || self.peek().is_none() {
                        continue;
                    }
                    out.push_str(SEP);
                    prev_word = false;
                }
                Some('(') => {
                    self.pos += 1;
                    let inner = self.alternatives()?;
                    if self.peek() != Some(')') {
                        return Err("a `(` has no matching `)`".to_string());
                    }
                    self.pos += 1;
                    if self.peek() == Some('?') {
                        self.pos += 1;
                        let _ = write!(out, "(?:{inner})?");
                    } else {
                        let _ = write!(out, "(?:{inner})");
                    }
                    prev_word = false;
                }
                Some('{') => {
                    let end = self.s[self.pos..]
                        .find('}')
                        .ok_or_else(|| "a `{` has no matching `}`".to_string())?;
                    let name = &self.s[self.pos + 1..self.pos + end];
                    self.pos += end + 1;
                    out.push_str(&self.placeholder(name)?);
                    prev_word = true;
                }
                Some(_) => {
                    let w = self.word();
                    if w.is_empty() {
                        let c = self.peek().unwrap_or(' ');
                        return Err(format!("unexpected `{c}`"));
                    }
                    out.push_str(&word_regex(&w));
                    prev_word = true;
                }
            }
        }
        Ok(out)
    }

    fn word(&mut self) -> String {
        let start = self.pos;
        while let Some(c) = self.peek() {
            if matches!(c, ' ' | '(' | ')' | '|' | '{' | '}') {
                break;
            }
            self.pos += c.len_utf8();
        }
        self.s[start..self.pos].to_string()
    }

    fn placeholder(&mut self, name: &str) -> Result<String, String> {
        Ok(match name {
            "name" => {
                self.names += 1;
                r"(?P<name>\p{L}[\p{L}\p{M}'\-]*)".to_string()
            }
            "word" => r"[\p{L}\p{N}][\p{L}\p{M}\p{N}'\-]*".to_string(),
            "number" => r"\+?\d[\d() .\-]{5,}\d".to_string(),
            "org" => {
                let alts: Vec<String> = self
                    .env
                    .orgs
                    .iter()
                    .map(|o| normalise(o))
                    .filter(|o| !o.is_empty())
                    .map(|o| o.split(' ').map(regex::escape).collect::<Vec<_>>().join(SEP))
                    .collect();
                if alts.is_empty() {
                    // No organisation configured: `{org}` can never match.
                    r"[^\s\S]".to_string()
                } else {
                    format!("(?:{})", alts.join("|"))
                }
            }
            other => {
                return Err(format!(
                    "unknown placeholder {{{other}}}; the placeholders are {{name}}, {{org}}, {{number}} and {{word}}"
                ))
            }
        })
    }
}

/// One word, with its contractions folded.
fn word_regex(w: &str) -> String {
    let esc = |s: &str| {
        let mut out = String::with_capacity(s.len() + 8);
        for c in s.chars() {
            match c {
                '-' => out.push_str("[- ]?"),
                '\'' => out.push_str("'?"),
                c => out.push_str(&regex::escape(c.encode_utf8(&mut [0; 4]))),
            }
        }
        out
    };
    match w {
        "can't" => return "(?:can'?t|cannot|can not)".to_string(),
        "won't" => return "(?:won'?t|will not)".to_string(),
        "cannot" => return "(?:cannot|can'?t|can not)".to_string(),
        _ => {}
    }
    // Whole-word alternatives (not `base(?:'s| is)`), so that each alternative is a
    // literal the matcher can use as an anchor.
    if let Some(base) = w.strip_suffix("n't") {
        return format!("(?:{b}n't|{b}nt|{b} not)", b = esc(base));
    }
    for (suf, longs) in [
        ("'s", &[" is", " has"][..]),
        ("'re", &[" are"][..]),
        ("'ve", &[" have"][..]),
        ("'ll", &[" will"][..]),
        ("'m", &[" am"][..]),
        ("'d", &[" would", " had"][..]),
    ] {
        if let Some(base) = w.strip_suffix(suf) {
            if !base.is_empty() {
                let b = esc(base);
                let bare = &suf[1..];
                let mut alts = vec![format!("{b}{suf}"), format!("{b}{bare}")];
                alts.extend(longs.iter().map(|l| format!("{b}{l}")));
                return format!("(?:{})", alts.join("|"));
            }
        }
    }
    // Apostrophes and hyphens are optional (speech-to-text drops them): spell out the
    // variants so each is a literal anchor.
    if w.contains(['\'', '-']) {
        let mut alts = vec![regex::escape(w)];
        if w.contains('-') {
            alts.push(regex::escape(&w.replace('-', " ")));
        }
        alts.push(regex::escape(&w.replace(['\'', '-'], "")));
        alts.dedup();
        return format!("(?:{})", alts.join("|"));
    }
    esc(w)
}

/// Common words that are never taken as a person's name by `{name}`.
pub(crate) fn is_common_word(w: &str) -> bool {
    // Sorted (a test checks), so a binary search: names are checked at every candidate.
    COMMON_WORDS.binary_search(&w).is_ok()
}

/// The words of [`is_common_word`], sorted.
const COMMON_WORDS: &[&str] = &[
    "a",
    "able",
    "about",
    "absolutely",
    "actually",
    "afraid",
    "after",
    "afternoon",
    "again",
    "agent",
    "all",
    "also",
    "always",
    "am",
    "an",
    "and",
    "another",
    "any",
    "anybody",
    "anyone",
    "anything",
    "are",
    "as",
    "at",
    "available",
    "aware",
    "away",
    "awful",
    "back",
    "basically",
    "be",
    "because",
    "been",
    "being",
    "both",
    "busy",
    "but",
    "by",
    "calling",
    "can",
    "certainly",
    "checking",
    "concerned",
    "confused",
    "correct",
    "could",
    "customer",
    "d",
    "definitely",
    "did",
    "do",
    "does",
    "doing",
    "done",
    "down",
    "dr",
    "early",
    "either",
    "else",
    "even",
    "evening",
    "every",
    "everybody",
    "everyone",
    "everything",
    "false",
    "fantastic",
    "fine",
    "first",
    "for",
    "free",
    "from",
    "glad",
    "going",
    "good",
    "great",
    "had",
    "half",
    "happy",
    "has",
    "have",
    "he",
    "hello",
    "her",
    "here",
    "hey",
    "hi",
    "him",
    "his",
    "honestly",
    "how",
    "i",
    "if",
    "important",
    "in",
    "interested",
    "into",
    "is",
    "it",
    "its",
    "just",
    "last",
    "late",
    "let",
    "like",
    "ll",
    "looking",
    "lovely",
    "m",
    "madam",
    "maybe",
    "me",
    "miss",
    "more",
    "morning",
    "mr",
    "mrs",
    "ms",
    "my",
    "never",
    "new",
    "next",
    "no",
    "nobody",
    "none",
    "not",
    "nothing",
    "now",
    "obviously",
    "of",
    "off",
    "ok",
    "okay",
    "old",
    "on",
    "one",
    "only",
    "or",
    "other",
    "our",
    "out",
    "over",
    "perfect",
    "perhaps",
    "phoning",
    "please",
    "pleased",
    "probably",
    "quite",
    "re",
    "ready",
    "really",
    "ridiculous",
    "right",
    "ringing",
    "s",
    "same",
    "sat",
    "she",
    "sir",
    "so",
    "somebody",
    "someone",
    "something",
    "sometimes",
    "sorry",
    "speaking",
    "still",
    "stuck",
    "sure",
    "t",
    "terrible",
    "than",
    "thank",
    "thanks",
    "that",
    "the",
    "their",
    "them",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "through",
    "tired",
    "to",
    "today",
    "too",
    "true",
    "trying",
    "uh",
    "um",
    "unable",
    "unacceptable",
    "unfortunately",
    "up",
    "urgent",
    "us",
    "ve",
    "very",
    "waiting",
    "was",
    "we",
    "well",
    "were",
    "what",
    "when",
    "where",
    "which",
    "who",
    "why",
    "will",
    "with",
    "wonderful",
    "working",
    "worried",
    "would",
    "wrong",
    "yeah",
    "yes",
    "yet",
    "you",
    "your",
    "yours",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_words_are_sorted_for_binary_search() {
        assert!(COMMON_WORDS.windows(2).all(|w| w[0] < w[1]));
        assert!(is_common_word("you") && is_common_word("a") && !is_common_word("sarah"));
    }

    fn m(phrase: &str, text: &str) -> bool {
        let c = compile(phrase, &PhraseEnv::default()).unwrap();
        regex::Regex::new(&c.regex).unwrap().is_match(text)
    }

    #[test]
    fn words_and_separators() {
        assert!(m("thank you", "no, thank you"));
        assert!(m("no thank you", "no, thank you"));
        assert!(m("thank you", "thank-you"));
        assert!(!m("thank you", "thankyou"));
        assert!(!m("hi", "this"));
        assert!(m("bye-bye", "bye bye"));
    }

    #[test]
    fn contractions_both_ways() {
        assert!(m("my name is", "my name's jo"));
        assert!(m("my name's", "my name is jo"));
        assert!(m("you've reached", "youve reached"));
        assert!(m("you've reached", "you have reached"));
        assert!(m("can't promise", "cannot promise"));
        assert!(m("can't promise", "can not promise"));
        assert!(m("don't blame me", "do not blame me"));
        assert!(m("it is not my fault", "it's not my fault"));
    }

    #[test]
    fn groups_and_optional_parts() {
        assert!(m("good (morning|afternoon)", "good afternoon"));
        assert!(m("thank(s| you) for calling", "thanks for calling"));
        assert!(m("speak (to you )?soon", "speak soon"));
        assert!(m("speak (to you )?soon", "speak to you soon"));
        assert!(!m("speak (to you )?soon", "speak to soon"));
    }

    #[test]
    fn placeholders() {
        assert!(m("call me on {number}", "call me on 07971 400653"));
        let e = compile("hi {nope}", &PhraseEnv::default()).unwrap_err();
        assert!(e.contains("unknown placeholder {nope}"), "{e}");
        let env = PhraseEnv {
            orgs: vec!["Acme Energy".into()],
        };
        let c = compile("thank you for calling {org}", &env).unwrap();
        assert!(regex::Regex::new(&c.regex)
            .unwrap()
            .is_match("thank you for calling acme energy"));
        assert!(!m("{org}", "acme"));
        assert!(
            compile("this is {name}", &PhraseEnv::default())
                .unwrap()
                .has_name
        );
    }

    #[test]
    fn bad_syntax_is_reported() {
        assert!(compile("good (morning", &PhraseEnv::default()).is_err());
        assert!(compile("  ", &PhraseEnv::default()).is_err());
    }
}
