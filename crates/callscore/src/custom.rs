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
    fn hits_in(
        &self,
        ctx: &Ctx<'_>,
        list: Option<ListId>,
        turns: impl IntoIterator<Item = usize>,
    ) -> Vec<Hit> {
        let Some(list) = list else { return Vec::new() };
        let mut out = Vec::new();
        for i in turns {
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
    fn fail<M: Into<std::borrow::Cow<'static, str>>>(
        &self,
        default: impl FnOnce() -> M,
        evidence: Vec<Span>,
    ) -> Outcome {
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
        let n = ctx.t.turns.len();
        let who = || (0..n).filter(|&i| party_has(ctx, s.who, i));
        // Its window: the party's turns from `from` on, at most `limit` of them, and only
        // those that start within `secs` of the call's first time when the rule counts
        // seconds. (Walked where it is needed, not collected: a big pack's `require` rules
        // fail most calls, and a list of turns each was a tenth of its allocations.)
        let (from, limit, by_time) = match s.within {
            Window::Anywhere => (0, usize::MAX, None),
            Window::FirstTurns(k) => (0, k, None),
            Window::LastTurns(k) => (who().rev().take(k).last().unwrap_or(n), usize::MAX, None),
            Window::FirstSeconds(secs) => {
                let Some(first) = ctx.t.turns.iter().filter_map(|t| t.start).reduce(f64::min)
                else {
                    return Outcome::na(
                        "The transcript has no times, which this rule's window needs.",
                    );
                };
                (0, usize::MAX, Some((first, secs)))
            }
        };
        let in_time = |i: usize| {
            by_time.is_none_or(|(first, secs): (f64, f64)| {
                ctx.t.turns[i].start.is_some_and(|t| t - first <= secs)
            })
        };
        let window = || {
            (from..n)
                .filter(move |&i| party_has(ctx, s.who, i) && in_time(i))
                .take(limit)
        };
        match s.kind {
            Kind::Require => {
                if window().next().is_none() {
                    return Outcome::na("Nobody the rule applies to speaks in its window.");
                }
                // (Not looked for turn by turn when the call has none of them at all.)
                let first = if none(self.phrases) {
                    None
                } else {
                    self.hits_in(ctx, self.phrases, window()).first().copied()
                };
                match first {
                    Some(h) => Outcome::pass(
                        format!("Said: \"{}\".", ctx.quote(ctx.span(&h))),
                        vec![ctx.span(&h)],
                    ),
                    None => self.fail(
                        || self.none_said,
                        window().take(3).map(Span::Turn).collect(),
                    ),
                }
            }
            Kind::Forbid => {
                let hits = self.hits_in(ctx, self.phrases, window());
                if hits.is_empty() {
                    return Outcome::pass("No forbidden phrase was said.", Vec::new());
                }
                let ev: Vec<Span> = hits.iter().map(|h| ctx.span(h)).collect();
                let quotes = ctx.quotes(&ev);
                self.fail(|| format!("Forbidden phrase said: {}", quotes), ev)
            }
            Kind::Sequence => {
                let who: Vec<usize> = who().collect();
                let after = self.hits_in(ctx, self.after, who.iter().copied());
                let Some(first_after) = after.first() else {
                    return Outcome::na("No `after` phrase was said.");
                };
                let before = self.hits_in(ctx, self.before, who.iter().copied());
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
                let trig_turns = (0..n).filter(|&i| party_has(ctx, s.trigger_who, i));
                let triggers = self.hits_in(ctx, self.trigger, trig_turns);
                let mut judged = false;
                let mut last_turn = None;
                for t in &triggers {
                    if last_turn == Some(t.turn) {
                        continue;
                    }
                    last_turn = Some(t.turn);
                    let from = who.partition_point(|&i| i <= t.turn);
                    let replies = &who[from..who.len().min(from.saturating_add(s.next_turns))];
                    if replies.is_empty() {
                        continue;
                    }
                    judged = true;
                    if self
                        .hits_in(ctx, self.phrases, replies.iter().copied())
                        .is_empty()
                    {
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

#[cfg(test)]
mod tests {
    use crate::{Ruleset, ScoreOptions, Status};

    /// A `require` rule judges the agent's turns its window names, and when none of its
    /// phrases was said there, points at (up to three of) them.
    #[test]
    fn windows_judge_the_turns_they_name() {
        // The agent speaks in turns 0, 2, 4 and 6; "check your order" in turn 2, at 20 s.
        let timed = "[00:01] Agent: Good morning, Acme.\n[00:05] Customer: Hi, my order is late.\n\
                     [00:20] Agent: Let me check your order.\n[00:40] Customer: Thanks.\n\
                     [00:50] Agent: Anything else?\n[01:00] Customer: No, bye.\n\
                     [01:05] Agent: Goodbye.";
        let untimed = "Agent: Good morning, Acme.\nCustomer: Hi.\nAgent: Let me check your order.";
        let cases: &[(&str, &str, &str, Status, &[usize])] = &[
            (
                "first-1",
                "first_turns = 1",
                "check your order",
                Status::Fail,
                &[0],
            ),
            (
                "first-2",
                "first_turns = 2",
                "check your order",
                Status::Pass,
                &[2],
            ),
            (
                "last-2",
                "last_turns = 2",
                "check your order",
                Status::Fail,
                &[4, 6],
            ),
            (
                "last-3",
                "last_turns = 3",
                "check your order",
                Status::Pass,
                &[2],
            ),
            (
                "last-0",
                "last_turns = 0",
                "check your order",
                Status::NotApplicable,
                &[],
            ),
            (
                "secs-10",
                "first_seconds = 10",
                "check your order",
                Status::Fail,
                &[0],
            ),
            (
                "secs-19",
                "first_seconds = 19",
                "check your order",
                Status::Pass,
                &[2],
            ),
            ("anywhere", "", "not said at all", Status::Fail, &[0, 2, 4]),
        ];
        let mut pack = String::from("[pack]\nname = \"windows\"\n");
        for (id, within, phrase, _, _) in cases {
            let within = if within.is_empty() {
                String::new()
            } else {
                format!("within = {{ {within} }}\n")
            };
            pack.push_str(&format!(
                "\n[[rule]]\nid = \"{id}\"\nkind = \"require\"\n{within}phrases = [\"{phrase}\"]\n"
            ));
        }
        let rs = Ruleset::from_toml(&pack, None).unwrap();
        let report = rs.score(timed, &ScoreOptions::default()).unwrap();
        for (id, _, _, status, turns) in cases {
            let f = report.finding(id).unwrap();
            let got: Vec<usize> = f.evidence.iter().filter_map(|e| e.turn).collect();
            assert_eq!((f.status, got.as_slice()), (*status, *turns), "{id}: {f:?}");
        }
        // A window in seconds needs times: without them the rule does not apply.
        let report = rs.score(untimed, &ScoreOptions::default()).unwrap();
        let f = report.finding("secs-10").unwrap();
        assert_eq!(f.status, Status::NotApplicable);
        assert!(f.message.contains("no times"), "{f:?}");
        assert_eq!(report.finding("first-2").unwrap().status, Status::Pass);
    }
}
