//! Experiment: which phrase patterns make the RegexSet slow.
use std::time::Instant;
fn main() {
    let dir = std::env::args().nth(1).unwrap_or_default();
    let mut buf = String::new();
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    paths.sort();
    let texts: Vec<String> = paths
        .iter()
        .map(|p| callscore::fold::fold_str(&std::fs::read_to_string(p).unwrap()))
        .collect();
    for t in &texts {
        buf.push_str(t);
        buf.push('\n');
    }
    let data: std::collections::BTreeMap<String, std::collections::BTreeMap<String, Vec<String>>> =
        toml::from_str(callscore::ruleset::DEFAULT_DATA).unwrap();
    let mut all = Vec::new();
    for (t, ls) in &data {
        for (k, ps) in ls {
            if t == "events" || k.ends_with("_names") {
                continue;
            }
            for p in ps {
                let c = callscore::phrase::compile(p, &Default::default()).unwrap();
                all.push((format!("{t}.{k}"), p.clone(), format!("(?m){}", c.regex)));
            }
        }
    }
    let run = |name: &str, pats: Vec<&String>| {
        let set = regex::RegexSetBuilder::new(pats.iter().map(|s| s.as_str()))
            .size_limit(64 << 20)
            .dfa_size_limit(256 << 20)
            .build()
            .unwrap();
        let t0 = Instant::now();
        let mut n = 0;
        for t in &texts {
            n += set.matches(t).iter().count();
        }
        let dt = t0.elapsed().as_secs_f64();
        println!(
            "{name:<30} {:>4} pats  {:>8.1} MB/s  ({n} matches)",
            pats.len(),
            buf.len() as f64 / dt / 1e6
        );
    };
    run("all", all.iter().map(|x| &x.2).collect());
    run(
        "plain only",
        all.iter()
            .filter(|x| !x.1.starts_with("re:"))
            .map(|x| &x.2)
            .collect(),
    );
    run(
        "no name",
        all.iter()
            .filter(|x| !x.1.contains("name"))
            .map(|x| &x.2)
            .collect(),
    );
    for (l, p, r) in &all {
        let set = regex::RegexSetBuilder::new([r.as_str()]).build().unwrap();
        let t0 = Instant::now();
        for t in texts.iter().take(500) {
            let _ = set.matches(t);
        }
        let dt = t0.elapsed().as_secs_f64();
        if dt > 0.002 {
            println!("slow: {l} {p:?} {:.1} ms/500", dt * 1e3);
        }
    }
}
