//! Measure in-memory single-threaded throughput over a directory of transcripts:
//! `cargo run --release -p callscore --example throughput -- DIR [REPEAT]`
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(dir) = args.get(1) else {
        return eprintln!("usage: throughput DIR [REPEAT]");
    };
    let repeat: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1);
    let mut texts = Vec::new();
    let Ok(rd) = std::fs::read_dir(dir) else {
        return eprintln!("cannot read {dir}");
    };
    let mut paths: Vec<_> = rd.flatten().map(|e| e.path()).collect();
    paths.sort();
    for p in paths {
        if let Ok(t) = std::fs::read_to_string(&p) {
            texts.push(t);
        }
    }
    let Ok(rs) = callscore::Ruleset::builtin() else {
        return;
    };
    let bytes: usize = texts.iter().map(|t| t.len()).sum();
    let opts = callscore::ScoreOptions::default();
    for (name, f) in [
        (
            "read",
            &(|t: &str| {
                let _ = callscore::parse::read(t, callscore::Format::Text, &Default::default());
            }) as &dyn Fn(&str),
        ),
        ("read+fold", &|t: &str| {
            if let Ok(tr) = callscore::parse::read(t, callscore::Format::Text, &Default::default())
            {
                let _ = callscore::fold::Folded::new(&tr.turns);
            }
        }),
        ("parse+roles", &|t: &str| {
            let _ = rs.parse(t, &opts);
        }),
    ] {
        let t0 = Instant::now();
        for t in &texts {
            f(t);
        }
        let dt = t0.elapsed().as_secs_f64();
        eprintln!(
            "{name:<12} {:>9.1} transcripts/s {:>8.1} MB/s",
            texts.len() as f64 / dt,
            bytes as f64 / dt / 1e6
        );
    }
    let t0 = Instant::now();
    let mut n = 0;
    for _ in 0..repeat {
        for t in &texts {
            let _ = rs.score(t, &opts);
            n += 1;
        }
    }
    let dt = t0.elapsed().as_secs_f64();
    println!(
        "{{\"transcripts\": {n}, \"seconds\": {dt:.4}, \"transcripts_per_s\": {:.1}, \"mb_per_s\": {:.3}}}",
        n as f64 / dt,
        (bytes * repeat) as f64 / dt / 1e6
    );
}
