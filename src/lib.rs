//! Test and benchmark host for the callscore workspace.
//!
//! It owns the cross-crate tests in `tests/`, the benchmarks in `benches/`, and
//! [`generate`]: a seeded generator of realistic call transcripts, so that benchmarks and
//! tests have a corpus even where `../shared/corpora` is absent.

#![deny(missing_docs)]

/// The texts of every readable file in `dir`, in file-name order (the measuring tools'
/// corpus), or `None` when the directory cannot be read.
pub fn read_texts(dir: &str) -> Option<Vec<String>> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .collect();
    paths.sort();
    Some(
        paths
            .iter()
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .collect(),
    )
}

/// A small deterministic PRNG (SplitMix64): the same seed gives the same corpus on every
/// machine, with no dependency.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + (self.next_u64() % (hi - lo + 1) as u64) as usize
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }

    /// One item of a slice.
    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.range(0, items.len() - 1)]
    }
}

const AGENTS: &[&str] = &[
    "Priya", "Tom", "Dana", "Omar", "Lucy", "Sam", "Beth", "Gary",
];
const ORGS: &[&str] = &[
    "Riverside Energy",
    "Harlow Builders",
    "Apex Broadband",
    "Oak Dental",
    "Swift Taxis",
    "Lumen Insurance",
    "Northway Lettings",
    "Brightline Support",
];
const OPENINGS: &[&str] = &[
    "Good morning, {org}, {agent} speaking. How can I help?",
    "Hello, you're through to {org}, my name's {agent}.",
    "Thank you for calling {org}, this is {agent}. What can I do for you today?",
    "{org}, good afternoon.",
    "Yeah?",
    "Hi there, {agent} here at {org}.",
    "Good evening, you've reached {org}. How may I help?",
];
const REQUESTS: &[&str] = &[
    "Hi, I'd like to check on my order, it's number 4471.",
    "Hello, I'm calling about my bill, it looks higher than usual.",
    "Can I speak to the manager please?",
    "My boiler is making a strange noise again.",
    "I was overcharged last month and nobody called me back. This is ridiculous.",
    "I want to book an appointment for next week.",
    "I've been waiting for an engineer for three days.",
    "Could you tell me when my parcel will arrive?",
];
const AGENT_MIDDLE: &[&str] = &[
    "Let me look that up for you, bear with me a moment.",
    "I'm sorry to hear that. Let me see what I can do.",
    "It shipped yesterday and should arrive on Thursday.",
    "I'll pass the message on as soon as she's free.",
    "She's in a meeting at the moment. Can I take a message?",
    "What's the best number to reach you on?",
    "Which company are you calling from?",
    "The engineer will be there by ten tomorrow, guaranteed.",
    "Well, that's not my fault, the courier lost it.",
    "I can't promise a time, but I'll chase it for you today.",
    "We have Tuesday at ten or Thursday at three, whatever suits you best.",
    "Look, I don't have time for this.",
    "Thanks for your patience, that's all updated now.",
    "Is there anything else I can help with today?",
];
const CUSTOMER_MIDDLE: &[&str] = &[
    "OK, thank you.",
    "It's Alex Morgan from Greenway Windows.",
    "07700 900456.",
    "That's fine.",
    "Right, but I was going to ask whether you could—",
    "Great, thanks.",
    "No, that's everything.",
    "Hmm, I'm not sure that helps.",
    "Could you repeat that please?",
    "Yes, Thursday works for me.",
];
const CLOSINGS: &[&str] = &[
    "Thanks for calling, have a lovely day. Goodbye!",
    "Take care, bye.",
    "Fine.",
    "Thank you for your time, speak soon.",
    "OK.",
];

/// One transcript of `turns` turns (roughly 100 bytes a turn), deterministic in `rng`.
pub fn transcript(rng: &mut Rng, turns: usize) -> String {
    let agent = rng.pick(AGENTS);
    let org = rng.pick(ORGS);
    let fill = |s: &str| s.replace("{agent}", agent).replace("{org}", org);
    let mut out = String::with_capacity(turns * 100);
    let (a, c) = if rng.chance(0.5) {
        (agent, "Customer")
    } else {
        ("Agent", "Caller")
    };
    if rng.chance(0.3) {
        out.push_str(&format!("# agent: {a}\n"));
    }
    let mut t = 0;
    let mut secs = 0;
    let timed = rng.chance(0.2);
    let line = |out: &mut String, who: &str, text: &str, secs: &mut usize| {
        if timed {
            out.push_str(&format!("[{:02}:{:02}] ", *secs / 60, *secs % 60));
        }
        out.push_str(who);
        out.push_str(": ");
        out.push_str(text);
        out.push('\n');
        *secs += 3 + text.len() / 15;
    };
    line(&mut out, a, &fill(rng.pick(OPENINGS)), &mut secs);
    t += 1;
    line(&mut out, c, rng.pick(REQUESTS), &mut secs);
    t += 1;
    while t + 1 < turns {
        let text = if t % 2 == 0 {
            rng.pick(AGENT_MIDDLE)
        } else {
            rng.pick(CUSTOMER_MIDDLE)
        };
        line(&mut out, if t % 2 == 0 { a } else { c }, text, &mut secs);
        t += 1;
    }
    line(&mut out, a, rng.pick(CLOSINGS), &mut secs);
    match rng.range(0, 9) {
        0 => out.push_str(&format!("[{a} hangs up]\n")),
        1 => out.push_str("[Customer hangs up]\n"),
        _ => {}
    }
    out
}

/// A corpus of `n` transcripts of `min_turns..=max_turns` turns from `seed`.
pub fn generate(seed: u64, n: usize, min_turns: usize, max_turns: usize) -> Vec<String> {
    let mut rng = Rng::new(seed);
    (0..n)
        .map(|_| {
            let turns = rng.range(min_turns, max_turns);
            transcript(&mut rng, turns)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generator_is_deterministic_and_sized() {
        let a = generate(7, 20, 10, 60);
        assert_eq!(a, generate(7, 20, 10, 60));
        assert_ne!(a, generate(8, 20, 10, 60));
        let rs = callscore::Ruleset::builtin().unwrap();
        for t in &a {
            assert!(rs.score(t, &Default::default()).is_ok(), "{t}");
            let lines = t
                .lines()
                .filter(|l| l.contains(": ") && !l.starts_with('#'))
                .count();
            assert!((10..=60).contains(&lines), "{lines} turns");
        }
    }
}

/// A rule pack of `n` custom phrase rules (a mix of `forbid`, `require`, `respond` and
/// `sequence`, with distinct, realistic phrases), for benchmarking large packs.
pub fn big_pack(n: usize) -> String {
    const TOPICS: &[&str] = &[
        "refund",
        "invoice",
        "delivery",
        "warranty",
        "contract",
        "upgrade",
        "meter",
        "tariff",
        "broadband",
        "router",
        "engineer",
        "appointment",
        "balance",
        "payment",
        "statement",
        "discount",
        "voucher",
        "booking",
        "parcel",
        "account",
    ];
    const VERBS: &[&str] = &[
        "check", "confirm", "cancel", "change", "explain", "renew", "book", "review", "process",
        "update",
    ];
    let mut out = String::from(
        "[pack]\nname = \"benchmark pack\"\nextends = \"default\"\norg = [\"Acme\"]\n",
    );
    for i in 0..n {
        let t = TOPICS[i % TOPICS.len()];
        let v = VERBS[(i / TOPICS.len()) % VERBS.len()];
        let body = match i % 4 {
            0 => format!("kind = \"forbid\"\nphrases = [\"{v} the {t} later\", \"{t} is not my job {i}\"]\n"),
            1 => format!("kind = \"require\"\nwithin = {{ last_turns = 2 }}\nphrases = [\"{v} your {t}\", \"your {t} (is|was) {v}ed\"]\n"),
            2 => format!("kind = \"respond\"\ntrigger = [\"{t} problem {i}\", \"my {t} is wrong\"]\nphrases = [\"sorry about (the|your) {t}\", \"let me {v} (it|that)\"]\n"),
            _ => format!("kind = \"sequence\"\nbefore = [\"{v} your (name|postcode) {i}\"]\nafter = [\"your {t} shows\", \"the {t} total\"]\n"),
        };
        out.push_str(&format!("\n[[rule]]\nid = \"r{i:03}\"\n{body}weight = 1\n"));
    }
    out
}

#[cfg(test)]
mod pack_tests {
    #[test]
    fn big_pack_compiles_with_all_its_rules() {
        let rs = callscore::Ruleset::from_toml(&super::big_pack(200), None).unwrap();
        assert_eq!(rs.rules().filter(|r| r.custom).count(), 200);
    }
}
