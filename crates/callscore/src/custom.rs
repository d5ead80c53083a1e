//! Rules written by trainers in a rule pack (see [`crate::pack`]): `require`, `forbid`,
//! `sequence` and `respond`. They read the same single phrase pass as the built-in rules,
//! and their weights, `critical`, `n/a` and evidence behave the same way.

use serde::Deserialize;

use crate::matcher::{Hit, ListId, PhraseBook};
use crate::report::Status;
use crate::rules::{Ctx, Outcome, Rule, Span};
use crate::ruleset::RuleInfo;

/// What a custom rule does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A phrase must be said by `who` within the window.
    Require,
    /// No phrase may be said by `who` (except matches inside an `except` phrase).
    Forbid,
    /// A `before` phrase must come before the first `after` phrase.
    Sequence,
    /// When `trigger_who` says a `trigger`, `who` must answer with a phrase within `next_turns`.
    Respond,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Require => "require",
            Kind::Forbid => "forbid",
            Kind::Sequence => "sequence",
            Kind::Respond => "respond",
        }
    }
}

/// Whose turns a rule reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Party {
    /// The agent (the default).
    #[default]
    Agent,
    /// The customers.
    Customer,
    /// Anyone.
    Any,
}

/// Which of `who`'s turns a `require` / `forbid` rule looks at.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Window {
    /// Every turn (the default).
    #[default]
    Anywhere,
    /// The first N turns.
    FirstTurns(usize),
    /// The last N turns.
    LastTurns(usize),
    /// Turns starting within S seconds of the call's first utterance (needs times).
    FirstSeconds(f64),
}

/// A validated custom rule, before its phrase lists are compiled.
#[derive(Debug, Clone)]
pub struct CustomSpec {
    /// The rule id.
    pub id: String,
    /// What it does.
    pub kind: Kind,
    /// Whose turns it judges.
    pub who: Party,
    /// The window of turns.
    pub within: Window,
    /// For `respond`: who says the trigger.
    pub trigger_who: Party,
    /// For `respond`: how many of `who`'s turns after the trigger may hold the answer.
    pub next_turns: usize,
    /// Weight in the score.
    pub weight: u32,
    /// Whether failing it fails the call.
    pub critical: bool,
    /// The message on failure (a default is written when absent).
    pub message: Option<String>,
    /// The coaching tip.
    pub tip: String,
    /// One-line description.
    pub summary: String,
    /// Transcripts on which the rule must pass.
    pub examples_pass: Vec<String>,
    /// Transcripts on which the rule must fail.
    pub examples_fail: Vec<String>,
    /// The phrases (for the documentation).
    pub phrases: Vec<String>,
}

impl CustomSpec {
    /// The rule's public facts.
    pub fn info(&self) -> RuleInfo {
        let window = match self.within {
            Window::Anywhere => "anywhere".to_string(),
            Window::FirstTurns(n) => format!("in the first {n} turn(s)"),
            Window::LastTurns(n) => format!("in the last {n} turn(s)"),
            Window::FirstSeconds(s) => format!("in the first {s} s"),
        };
        let who = |p: Party| match p {
            Party::Agent => "the agent",
            Party::Customer => "the customer",
            Party::Any => "anyone",
        };
        let what = match self.kind {
            Kind::Require => format!("{} must say one of its phrases {window}.", who(self.who)),
            Kind::Forbid => format!("{} must never say its phrases ({window}).", who(self.who)),
            Kind::Sequence => format!("{} must say a `before` phrase before the first `after` phrase (n/a when no `after` phrase is said).", who(self.who)),
            Kind::Respond => format!(
                "when {} says a trigger, {} must answer with a phrase within {} turn(s) (n/a without a trigger).",
                who(self.trigger_who),
                who(self.who),
                self.next_turns
            ),
        };
        let mut doc = format!(
            "# {}\n\nA custom `{}` rule from a rule pack: {what}",
            self.id,
            self.kind.name()
        );
        if let Some(m) = &self.message {
            doc.push_str(&format!("\n\n**Message.** {m}"));
        }
        if !self.tip.is_empty() {
            doc.push_str(&format!("\n\n**Tip.** {}", self.tip));
        }
        RuleInfo {
            id: self.id.clone(),
            weight: self.weight,
            critical: self.critical,
            summary: self.summary.clone(),
            tip: self.tip.clone(),
            doc,
            phrases: Vec::new(),
            custom: true,
        }
    }
}

/// A compiled custom rule.
#[derive(Debug)]
pub struct Custom {
    spec: CustomSpec,
    phrases: Option<ListId>,
    except: Option<ListId>,
    before: Option<ListId>,
    after: Option<ListId>,
    trigger: Option<ListId>,
    /// The `phrases` as the messages list them ("a / b / c"), made once.
    listed: String,
    /// The pack's own message for a fail, interned (see [`crate::report::intern`]): the
    /// reports of a pack point at it instead of copying it.
    message: Option<&'static str>,
    /// A `require` rule's message when none of its phrases was said, made and interned
    /// once (most rules of a big pack fail every call that does not say their phrases).
    none_said: &'static str,
}

impl Custom {
    /// Resolve the rule's phrase lists in the compiled book.
    pub fn new(spec: CustomSpec, book: &PhraseBook) -> Result<Custom, String> {
        let l = |k: &str| book.list_id(&format!("{}.{k}", spec.id));
        let listed = spec.phrases.join(" / ");
        let intern = crate::report::intern;
        Ok(Custom {
            phrases: l("phrases"),
            except: l("except"),
            before: l("before"),
            after: l("after"),
            trigger: l("trigger"),
            message: spec.message.as_deref().map(intern),
            none_said: intern(&format!(
                "None of the required phrases was said ({listed})."
            )),
            listed,
            spec,
        })
    }
}

fn party_has(ctx: &Ctx<'_>, p: Party, turn: usize) -> bool {
    match p {
        Party::Agent => ctx.is_agent(turn),
        Party::Customer => !ctx.is_agent(turn),
        Party::Any => true,
    }
}

impl Custom {
    fn hits_in(&self, ctx: &Ctx<'_>, list: Option<ListId>, turns: &[usize]) -> Vec<Hit> {
        let Some(list) = list else { return Vec::new() };
        let mut out = Vec::new();
        for &i in turns {
            let hits = ctx.hits.in_turn(list, i);
            if hits.is_empty() {
                continue;
            }
            let not = self.except.map(|x| ctx.hits.in_turn(x, i));
            let not = not.as_deref().unwrap_or(&[]);
            out.extend(
                hits.iter()
                    .filter(|h| !not.iter().any(|x| x.start < h.end && x.end > h.start)),
            );
        }
        out
    }

    /// A fail with the rule's own message, else `default()` (made only then: most
    /// rules of a big pack fail every call that does not say their phrases).
    fn fail(&self, default: impl FnOnce() -> String, evidence: Vec<Span>) -> Outcome {
        match self.message {
            Some(m) => Outcome::fail(m, evidence),
            None => Outcome::fail(default(), evidence),
        }
    }
}

impl Rule for Custom {
    fn check(&self, ctx: &Ctx<'_>) -> Outcome {
        let s = &self.spec;
        // Most rules of a big pack never fire: decide those without building anything.
        let none = |l: Option<ListId>| l.is_none_or(|l| ctx.hits.of(l).is_empty());
        match s.kind {
            Kind::Forbid if none(self.phrases) => {
                return Outcome::pass("No forbidden phrase was said.", Vec::new())
            }
            Kind::Sequence if none(self.after) => {
                return Outcome::na("No `after` phrase was said.")
            }
            Kind::Respond if none(self.trigger) => {
                return Outcome::na("No trigger was said (or nobody answered after it).")
            }
            _ => {}
        }
        // The turns of the party the rule judges, in order.
        let who = || (0..ctx.t.turns.len()).filter(|&i| party_has(ctx, s.who, i));
        let window: Vec<usize> = match s.within {
            Window::Anywhere => who().collect(),
            Window::FirstTurns(n) => who().take(n).collect(),
            Window::LastTurns(n) => {
                let mut last: Vec<usize> = who().rev().take(n).collect();
                last.reverse();
                last
            }
            Window::FirstSeconds(secs) => {
                let starts: Vec<f64> = ctx.t.turns.iter().filter_map(|t| t.start).collect();
                let Some(first) = starts.iter().copied().reduce(f64::min) else {
                    return Outcome::na(
                        "The transcript has no times, which this rule's window needs.",
                    );
                };
                who()
                    .filter(|&i| ctx.t.turns[i].start.is_some_and(|t| t - first <= secs))
                    .collect()
            }
        };
        match s.kind {
            Kind::Require => {
                if window.is_empty() {
                    return Outcome::na("Nobody the rule applies to speaks in its window.");
                }
                // (Not looked for turn by turn when the call has none of them at all.)
                let first = if none(self.phrases) {
                    None
                } else {
                    self.hits_in(ctx, self.phrases, &window).first().copied()
                };
                match first {
                    Some(h) => Outcome::pass(
                        format!("Said: \"{}\".", ctx.quote(ctx.span(&h))),
                        vec![ctx.span(&h)],
                    ),
                    None => Outcome::fail(
                        self.message.unwrap_or(self.none_said),
                        window.iter().take(3).map(|&i| Span::Turn(i)).collect(),
                    ),
                }
            }
            Kind::Forbid => {
                let hits = self.hits_in(ctx, self.phrases, &window);
                if hits.is_empty() {
                    return Outcome::pass("No forbidden phrase was said.", Vec::new());
                }
                let ev: Vec<Span> = hits.iter().map(|h| ctx.span(h)).collect();
                let quotes = ctx.quotes(&ev);
                self.fail(|| format!("Forbidden phrase said: {}", quotes), ev)
            }
            Kind::Sequence => {
                let who: Vec<usize> = who().collect();
                let after = self.hits_in(ctx, self.after, &who);
                let Some(first_after) = after.first() else {
                    return Outcome::na("No `after` phrase was said.");
                };
                let before = self.hits_in(ctx, self.before, &who);
                match before.iter().find(|b| b.start < first_after.start) {
                    Some(b) => Outcome::pass(
                        format!(
                            "\"{}\" came before \"{}\".",
                            ctx.quote(ctx.span(b)),
                            ctx.quote(ctx.span(first_after))
                        ),
                        vec![ctx.span(b), ctx.span(first_after)],
                    ),
                    None => self.fail(
                        || {
                            format!(
                                "\"{}\" was said before any of: {}.",
                                ctx.quote(ctx.span(first_after)),
                                self.listed
                            )
                        },
                        vec![ctx.span(first_after)],
                    ),
                }
            }
            Kind::Respond => {
                let who: Vec<usize> = who().collect();
                let trig_turns: Vec<usize> = (0..ctx.t.turns.len())
                    .filter(|&i| party_has(ctx, s.trigger_who, i))
                    .collect();
                let triggers = self.hits_in(ctx, self.trigger, &trig_turns);
                let mut judged = false;
                let mut last_turn = None;
                for t in &triggers {
                    if last_turn == Some(t.turn) {
                        continue;
                    }
                    last_turn = Some(t.turn);
                    let from = who.partition_point(|&i| i <= t.turn);
                    let replies: Vec<usize> =
                        who[from..].iter().copied().take(s.next_turns).collect();
                    if replies.is_empty() {
                        continue;
                    }
                    judged = true;
                    if self.hits_in(ctx, self.phrases, &replies).is_empty() {
                        let mut ev = vec![ctx.span(t)];
                        ev.extend(replies.iter().map(|&i| Span::Turn(i)));
                        return self.fail(
                            || {
                                format!(
                                    "\"{}\" was not answered with any of: {}.",
                                    ctx.quote(ctx.span(t)),
                                    self.listed
                                )
                            },
                            ev,
                        );
                    }
                }
                if judged {
                    Outcome::pass(
                        "Every trigger was answered.",
                        triggers.iter().take(1).map(|h| ctx.span(h)).collect(),
                    )
                } else {
                    Outcome::na("No trigger was said (or nobody answered after it).")
                }
            }
        }
    }
}

/// One rule example that did not come out as declared.
#[derive(Debug, Clone, PartialEq)]
pub struct ExampleFailure {
    /// The rule.
    pub rule: String,
    /// What the example declared.
    pub expected: Status,
    /// What the rule gave (`None` when the example could not be scored).
    pub got: Option<Status>,
    /// 1-based position of the example in its list.
    pub index: usize,
    /// The example transcript.
    pub example: String,
    /// The rule's message, or the scoring error.
    pub message: String,
}

/// The result of running every rule example of a ruleset.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CheckResult {
    /// Examples run.
    pub run: usize,
    /// Examples that did not come out as declared.
    pub failures: Vec<ExampleFailure>,
}

impl CheckResult {
    /// True when every example came out as declared.
    pub fn ok(&self) -> bool {
        self.failures.is_empty()
    }
}
