//! Rule packs: house rules in TOML that trainers write themselves.
//!
//! ```toml
//! [pack]
//! name = "Acme inbound"
//! extends = "default"            # or "none": only the rules below
//! pass_mark = 85
//! org = ["Acme", "Acme Energy"]  # `{org}` in phrases; "Acme, good morning" identifies
//!
//! [rules.greeting]               # tune a built-in rule
//! weight = 15
//! phrases.add = ["g'day"]
//!
//! [rules.no-blame]
//! enabled = false
//!
//! [[rule]]                       # a rule of your own
//! id = "acme-opening"
//! kind = "require"               # require | forbid | sequence | respond
//! who = "agent"                  # agent (default) | customer | any
//! within = { first_turns = 1 }   # or first_seconds, last_turns, anywhere = true
//! phrases = ["thank you for calling {org}"]
//! weight = 10
//! message = "Open with the Acme line."
//! tip = "Say: Thank you for calling Acme, my name is ..., how can I help?"
//! examples.pass = ["Agent: Thank you for calling Acme, this is Sam."]
//! examples.fail = ["Agent: Hello, how can I help?"]
//! ```
//!
//! Every error names the file, line and column: unknown keys, a clashing rule id, a bad
//! regular expression (with the rule and the pattern), an unknown placeholder, a pattern
//! that compiles too big. `[rules.ID]` may also edit any list of a built-in rule with
//! `lists.NAME.add` / `lists.NAME.remove` (see `callscore rules --show-phrases`).

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use crate::custom::{CheckResult, CustomSpec, ExampleFailure, Kind, Party, Window};
use crate::error::{Error, Result};
use crate::phrase::PhraseEnv;
use crate::report::Status;
use crate::rules;
use crate::ruleset::{
    line_col, load_data, spanned_src, RuleSpec, Ruleset, ScoreOptions, DEFAULT_DATA,
    DEFAULT_PASS_MARK,
};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PackFile {
    pack: Option<PackMeta>,
    #[serde(default)]
    rules: BTreeMap<String, Override>,
    #[serde(default)]
    rule: Vec<RuleDef>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PackMeta {
    name: Option<String>,
    description: Option<String>,
    extends: Option<Spanned<String>>,
    pass_mark: Option<Spanned<f64>>,
    #[serde(default)]
    org: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Override {
    weight: Option<u32>,
    critical: Option<bool>,
    enabled: Option<bool>,
    phrases: Option<Edit>,
    #[serde(default)]
    lists: BTreeMap<String, Edit>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Edit {
    #[serde(default)]
    add: Vec<Spanned<String>>,
    #[serde(default)]
    remove: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleDef {
    id: Spanned<String>,
    kind: Kind,
    who: Option<Party>,
    within: Option<WithinDef>,
    #[serde(default)]
    phrases: Vec<Spanned<String>>,
    #[serde(default)]
    except: Vec<Spanned<String>>,
    #[serde(default)]
    before: Vec<Spanned<String>>,
    #[serde(default)]
    after: Vec<Spanned<String>>,
    #[serde(default)]
    trigger: Vec<Spanned<String>>,
    trigger_who: Option<Party>,
    next_turns: Option<usize>,
    weight: Option<u32>,
    critical: Option<bool>,
    message: Option<String>,
    tip: Option<String>,
    summary: Option<String>,
    examples: Option<ExamplesDef>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WithinDef {
    first_turns: Option<usize>,
    last_turns: Option<usize>,
    first_seconds: Option<f64>,
    anywhere: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExamplesDef {
    #[serde(default)]
    pass: Vec<String>,
    #[serde(default)]
    fail: Vec<String>,
}

/// Largest number of custom rules in one pack.
pub const MAX_RULES: usize = 10_000;

impl Ruleset {
    /// The default rubric as a fresh (not shared) ruleset.
    pub fn default_ruleset() -> Result<Ruleset> {
        Ruleset::from_data(
            DEFAULT_DATA,
            Some("crates/callscore/data/default.toml"),
            &PhraseEnv::default(),
        )
    }

    /// Compile a rule pack from TOML text. `file` names it in error messages.
    pub fn from_toml(src: &str, file: Option<&str>) -> Result<Ruleset> {
        let err_at = |at: usize, message: String| {
            let (line, column) = line_col(src, at);
            Error::Pack {
                file: file.map(str::to_string),
                line,
                column,
                message,
            }
        };
        let pack: PackFile = toml::from_str(src).map_err(|e| {
            err_at(
                e.span().map_or(0, |s| s.start),
                e.message().trim().to_string(),
            )
        })?;
        let meta = pack.pack.unwrap_or(PackMeta {
            name: None,
            description: None,
            extends: None,
            pass_mark: None,
            org: Vec::new(),
        });
        let _ = meta.description;
        let extends_default = match &meta.extends {
            None => true,
            Some(e) => match e.get_ref().as_str() {
                "default" => true,
                "none" => false,
                other => {
                    return Err(err_at(
                        e.span().start,
                        format!("`extends` must be \"default\" or \"none\", not {other:?}"),
                    ))
                }
            },
        };
        let pass_mark = match &meta.pass_mark {
            Some(p) if !(0.0..=100.0).contains(p.get_ref()) => {
                return Err(err_at(
                    p.span().start,
                    "`pass_mark` must be between 0 and 100".into(),
                ))
            }
            Some(p) => *p.get_ref(),
            None => DEFAULT_PASS_MARK,
        };
        let mut lists = load_data(DEFAULT_DATA, Some("crates/callscore/data/default.toml"))?;
        // Where a `[rules.ID]` table starts, for errors about it.
        let table_at = |id: &str| {
            src.find(&format!("[rules.{id}]"))
                .or_else(|| src.find(&format!("[rules.\"{id}\"]")))
                .unwrap_or(0)
        };
        let mut specs: Vec<RuleSpec> = Vec::new();
        if extends_default {
            for m in rules::BUILTIN {
                let o = pack.rules.get(m.id);
                if o.and_then(|o| o.enabled) == Some(false) {
                    continue;
                }
                specs.push(RuleSpec::Builtin {
                    meta: m,
                    weight: o.and_then(|o| o.weight).unwrap_or(m.weight),
                    critical: o.and_then(|o| o.critical).unwrap_or(m.critical),
                });
            }
        }
        for (id, o) in &pack.rules {
            if !rules::BUILTIN.iter().any(|m| m.id == id) {
                let known: Vec<&str> = rules::BUILTIN.iter().map(|m| m.id).collect();
                return Err(err_at(
                    table_at(id),
                    format!(
                        "no built-in rule `{id}` to change; built-in rules: {}",
                        known.join(", ")
                    ),
                ));
            }
            if !extends_default {
                return Err(err_at(table_at(id), format!("`[rules.{id}]` changes a built-in rule, but the pack has extends = \"none\"")));
            }
            let mut edits: Vec<(String, &Edit)> = o
                .lists
                .iter()
                .map(|(k, e)| (format!("{id}.{k}"), e))
                .collect();
            if let Some(e) = &o.phrases {
                edits.push((format!("{id}.phrases"), e));
            }
            for (list, edit) in edits {
                let Some(phrases) = lists.get_mut(&list) else {
                    let have: Vec<&str> = lists
                        .keys()
                        .filter(|k| k.starts_with(&format!("{id}.")))
                        .map(|k| &k[id.len() + 1..])
                        .collect();
                    return Err(err_at(
                        table_at(id),
                        format!(
                            "rule `{id}` has no phrase list `{}`; its lists are: {}",
                            &list[id.len() + 1..],
                            have.join(", ")
                        ),
                    ));
                };
                for r in &edit.remove {
                    let before = phrases.len();
                    phrases.retain(|p| p.text != *r.get_ref());
                    if phrases.len() == before {
                        return Err(err_at(
                            r.span().start,
                            format!("`{list}` has no phrase {:?} to remove", r.get_ref()),
                        ));
                    }
                }
                phrases.extend(edit.add.iter().map(|p| spanned_src(src, file, p)));
            }
        }
        if pack.rule.len() > MAX_RULES {
            return Err(err_at(
                0,
                format!("a pack may hold at most {MAX_RULES} rules"),
            ));
        }
        let mut seen: Vec<String> = Vec::new();
        for r in &pack.rule {
            let id = r.id.get_ref().trim().to_string();
            let at = r.id.span().start;
            let valid = !id.is_empty()
                && id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if !valid {
                return Err(err_at(
                    at,
                    format!("rule id {id:?} must be letters, digits, `-` and `_`"),
                ));
            }
            if rules::BUILTIN.iter().any(|m| m.id == id)
                || ["roles", "events"].contains(&id.as_str())
            {
                return Err(err_at(at, format!("rule id `{id}` clashes with a built-in rule; use `[rules.{id}]` to change it, or pick another id")));
            }
            if seen.contains(&id) {
                return Err(err_at(at, format!("rule id `{id}` is used twice")));
            }
            seen.push(id.clone());
            let need = |ok: bool, what: &str| -> Result<()> {
                if ok {
                    Ok(())
                } else {
                    Err(err_at(
                        at,
                        format!(
                            "rule `{id}` (kind = \"{}\") needs {what}",
                            kind_name(r.kind)
                        ),
                    ))
                }
            };
            match r.kind {
                Kind::Require | Kind::Forbid => need(!r.phrases.is_empty(), "`phrases`")?,
                Kind::Sequence => need(
                    !r.before.is_empty() && !r.after.is_empty(),
                    "`before` and `after`",
                )?,
                Kind::Respond => need(
                    !r.trigger.is_empty() && !r.phrases.is_empty(),
                    "`trigger` and `phrases`",
                )?,
            }
            let within = match &r.within {
                None => Window::Anywhere,
                Some(w) => {
                    let set = [
                        w.first_turns.is_some(),
                        w.last_turns.is_some(),
                        w.first_seconds.is_some(),
                        w.anywhere == Some(true),
                    ];
                    if set.iter().filter(|&&x| x).count() > 1 {
                        return Err(err_at(at, format!("rule `{id}`: `within` takes one of first_turns, last_turns, first_seconds, anywhere")));
                    }
                    match (w.first_turns, w.last_turns, w.first_seconds) {
                        (Some(n), _, _) => Window::FirstTurns(n),
                        (_, Some(n), _) => Window::LastTurns(n),
                        (_, _, Some(s)) if s.is_finite() && s >= 0.0 => Window::FirstSeconds(s),
                        (_, _, Some(_)) => {
                            return Err(err_at(
                                at,
                                format!("rule `{id}`: first_seconds must be a non-negative number"),
                            ))
                        }
                        _ => Window::Anywhere,
                    }
                }
            };
            for (key, phrases) in [
                ("phrases", &r.phrases),
                ("except", &r.except),
                ("before", &r.before),
                ("after", &r.after),
                ("trigger", &r.trigger),
            ] {
                if !phrases.is_empty() {
                    lists.insert(
                        format!("{id}.{key}"),
                        phrases.iter().map(|p| spanned_src(src, file, p)).collect(),
                    );
                }
            }
            let ex = r.examples.as_ref();
            specs.push(RuleSpec::Custom(Box::new(CustomSpec {
                id: id.clone(),
                kind: r.kind,
                who: r.who.unwrap_or_default(),
                within,
                trigger_who: r.trigger_who.unwrap_or(Party::Customer),
                next_turns: r.next_turns.unwrap_or(1).max(1),
                weight: r.weight.unwrap_or(10),
                critical: r.critical.unwrap_or(false),
                message: r.message.clone(),
                tip: r.tip.clone().unwrap_or_default(),
                summary: r
                    .summary
                    .clone()
                    .or_else(|| r.message.clone())
                    .unwrap_or_else(|| format!("Custom {} rule.", kind_name(r.kind))),
                examples_pass: ex.map(|e| e.pass.clone()).unwrap_or_default(),
                examples_fail: ex.map(|e| e.fail.clone()).unwrap_or_default(),
                phrases: match r.kind {
                    Kind::Sequence => r.before.iter().map(|p| p.get_ref().clone()).collect(),
                    _ => r.phrases.iter().map(|p| p.get_ref().clone()).collect(),
                },
            })));
        }
        let env = PhraseEnv {
            orgs: meta.org.clone(),
        };
        let name = meta
            .name
            .clone()
            .unwrap_or_else(|| file.unwrap_or("pack").to_string());
        Ruleset::assemble(
            &name,
            pass_mark,
            lists,
            &env,
            specs,
            Some((src.to_string(), file.map(str::to_string))),
            false,
        )
    }

    /// Run every rule example of the pack (`examples.pass` / `examples.fail`): each is a
    /// short transcript on which the rule must come out as declared.
    pub fn check(&self) -> CheckResult {
        let mut out = CheckResult::default();
        for (rule, pass, fail) in self.examples() {
            for (expected, list) in [(Status::Pass, pass), (Status::Fail, fail)] {
                for (k, example) in list.iter().enumerate() {
                    out.run += 1;
                    let res = self.score(example, &ScoreOptions::default());
                    let (got, message) = match res {
                        Ok(r) => match r.finding(rule) {
                            Some(f) => (Some(f.status), f.message.to_string()),
                            None => (None, "the rule is not in the report".to_string()),
                        },
                        Err(e) => (None, e.to_string()),
                    };
                    if got != Some(expected) {
                        out.failures.push(ExampleFailure {
                            rule: rule.to_string(),
                            expected,
                            got,
                            index: k + 1,
                            example: example.clone(),
                            message,
                        });
                    }
                }
            }
        }
        out
    }
}

fn kind_name(k: Kind) -> &'static str {
    match k {
        Kind::Require => "require",
        Kind::Forbid => "forbid",
        Kind::Sequence => "sequence",
        Kind::Respond => "respond",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACME: &str = r#"
[pack]
name = "Acme inbound"
extends = "default"
pass_mark = 85
org = ["Acme", "Acme Energy"]

[rules.greeting]
weight = 15
phrases.add = ["g'day"]

[rules.no-blame]
enabled = false

[[rule]]
id = "acme-opening"
kind = "require"
who = "agent"
within = { first_turns = 1 }
phrases = ["thank you for calling {org}"]
weight = 10
message = "Open with the Acme line."
tip = "Say: Thank you for calling Acme, my name is ..., how can I help?"
examples.pass = ["Agent: Thank you for calling Acme, this is Sam."]
examples.fail = ["Agent: Hello, how can I help?"]

[[rule]]
id = "verify-first"
kind = "sequence"
who = "agent"
before = ["date of birth", "postcode", "security question"]
after = ["your balance", "your account shows"]
weight = 10
examples.pass = ["Agent: Can I take your postcode?\nCustomer: RG1 4AB.\nAgent: Thanks. Your balance is ten pounds."]
examples.fail = ["Agent: Your balance is ten pounds.\nCustomer: OK.\nAgent: And your postcode?"]

[[rule]]
id = "fraud-response"
kind = "respond"
trigger_who = "customer"
trigger = ["fraud", "stolen", "didn't make"]
who = "agent"
phrases = ["block", "freeze", "cancel the card"]
next_turns = 1
weight = 10
examples.pass = ["Agent: Hello.\nCustomer: My card was stolen.\nAgent: I'll block it now."]
examples.fail = ["Agent: Hello.\nCustomer: I didn't make this payment.\nAgent: OK, anything else?"]

[[rule]]
id = "no-jargon"
kind = "forbid"
phrases = ["APR", "re:\\bamortis\\w+"]
except = ["APR stands for"]
examples.pass = ["Agent: APR stands for annual percentage rate."]
examples.fail = ["Agent: The APR is high."]
"#;

    #[test]
    fn the_readme_pack_compiles_and_its_examples_pass() {
        let rs = Ruleset::from_toml(ACME, Some("acme.toml")).unwrap();
        assert_eq!(rs.pass_mark(), 85.0);
        let ids: Vec<&str> = rs.rules().map(|r| r.id.as_str()).collect();
        assert!(!ids.contains(&"no-blame"));
        assert_eq!(
            &ids[ids.len() - 4..],
            [
                "acme-opening",
                "verify-first",
                "fraud-response",
                "no-jargon"
            ]
        );
        assert_eq!(rs.rule("greeting").unwrap().weight, 15);
        let c = rs.check();
        assert_eq!(c.run, 8);
        assert!(c.ok(), "{:?}", c.failures);
        // The org makes "Acme, good morning" identify the agent, and g'day greets.
        let r = rs
            .score(
                "Agent: G'day, Acme here.\nCustomer: Hi.",
                &ScoreOptions::default(),
            )
            .unwrap();
        assert_eq!(r.finding("greeting").unwrap().status, Status::Pass);
    }

    #[test]
    fn examples_that_do_not_hold_are_reported() {
        let src = "[[rule]]\nid = \"x\"\nkind = \"require\"\nphrases = [\"hello\"]\nexamples.pass = [\"Agent: Hi.\"]\n";
        let c = Ruleset::from_toml(src, None).unwrap().check();
        assert_eq!(c.failures.len(), 1);
        assert_eq!(c.failures[0].got, Some(Status::Fail));
    }

    fn err(src: &str) -> Error {
        Ruleset::from_toml(src, Some("p.toml")).unwrap_err()
    }

    #[test]
    fn errors_point_at_file_line_and_column() {
        let e = err("[pack]\nname = \"x\"\ncolour = \"red\"\n");
        assert_eq!(e.line(), Some(3), "{e}");
        assert!(e.to_string().starts_with("p.toml:3:"), "{e}");
        let e = err("[[rule]]\nid = \"greeting\"\nkind = \"require\"\nphrases = [\"hi\"]\n");
        assert!(e.to_string().contains("clashes"), "{e}");
        assert_eq!(e.line(), Some(2));
        let e = err("[[rule]]\nid = \"a\"\nkind = \"forbid\"\nphrases = [\n  \"ok\",\n  \"re:(unclosed\",\n]\n");
        assert_eq!(e.line(), Some(6), "{e}");
        assert!(
            e.to_string().contains("a.phrases") && e.to_string().contains("re:(unclosed"),
            "{e}"
        );
        let e = err("[[rule]]\nid = \"a\"\nkind = \"forbid\"\nphrases = [\"hi {nobody}\"]\n");
        assert!(
            e.to_string().contains("unknown placeholder {nobody}"),
            "{e}"
        );
        let e =
            err("[[rule]]\nid = \"a\"\nkind = \"forbid\"\nphrases = [\"re:(?:a{1000}){1000}\"]\n");
        assert!(e.to_string().contains("too big"), "{e}");
        let e = err("[[rule]]\nid = \"a\"\nkind = \"shout\"\n");
        assert_eq!(e.line(), Some(3), "{e}");
        let e = err("[rules.greetings]\nweight = 3\n");
        assert!(
            e.to_string().contains("no built-in rule `greetings`"),
            "{e}"
        );
        assert_eq!(e.line(), Some(1));
        let e = err("[[rule]]\nid = \"a\"\nkind = \"sequence\"\nbefore = [\"x\"]\n");
        assert!(e.to_string().contains("needs `before` and `after`"), "{e}");
        let e = err("[[rule]]\nid = \"a\"\nkind = \"forbid\"\nphrases = [\"x\"]\n[[rule]]\nid = \"a\"\nkind = \"forbid\"\nphrases = [\"y\"]\n");
        assert!(
            e.to_string().contains("used twice") && e.line() == Some(6),
            "{e}"
        );
    }

    #[test]
    fn extends_none_keeps_only_custom_rules() {
        let rs = Ruleset::from_toml("[pack]\nextends = \"none\"\n[[rule]]\nid = \"hi\"\nkind = \"require\"\nphrases = [\"hello\"]\n", None).unwrap();
        assert_eq!(rs.rules().count(), 1);
        let r = rs
            .score("Agent: hello\nCustomer: hi", &ScoreOptions::default())
            .unwrap();
        assert_eq!((r.score, r.findings.len()), (100.0, 1));
    }
}
