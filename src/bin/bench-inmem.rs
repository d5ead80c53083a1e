//! In-memory throughput of the Rust library over a directory of transcripts, the way
//! `pyref.py --bench` measures (texts read first, then timed):
//! `bench-inmem DIR [REPEAT=3] [THREADS=1] [PACK.toml]`. Prints one JSON line: the
//! mean over all passes, and the best pass (the least disturbed by other work on the machine).

use std::time::Instant;

/// The allocator the `callscore` command and the Python module use.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use rayon::prelude::*;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = args.first() else {
        return eprintln!("usage: bench-inmem DIR [REPEAT] [THREADS] [PACK.toml]");
    };
    let repeat: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(3);
    let threads: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1);
    let Some(texts) = callscore_suite::read_texts(dir) else {
        return eprintln!("cannot read {dir}");
    };
    let owned;
    let rs: &callscore::Ruleset = match args.get(3) {
        Some(pack) => {
            let src = std::fs::read_to_string(pack).unwrap_or_default();
            owned = match callscore::Ruleset::from_toml(&src, Some(pack)) {
                Ok(r) => r,
                Err(e) => return eprintln!("{e}"),
            };
            &owned
        }
        None => match callscore::Ruleset::builtin() {
            Ok(r) => r,
            Err(e) => return eprintln!("{e}"),
        },
    };
    let bytes: usize = texts.iter().map(String::len).sum();
    let opts = callscore::ScoreOptions::default();
    let pool = match rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
    {
        Ok(p) => p,
        Err(e) => return eprintln!("{e}"),
    };
    // Warm up (caches, lazy DFA states), then measure.
    let _ = texts
        .iter()
        .take(500)
        .filter_map(|t| rs.score(t, &opts).ok())
        .count();
    let t0 = Instant::now();
    let mut ok = 0;
    let mut best = f64::INFINITY;
    for _ in 0..repeat {
        let t1 = Instant::now();
        ok += if threads <= 1 {
            texts.iter().filter_map(|t| rs.score(t, &opts).ok()).count()
        } else {
            pool.install(|| {
                texts
                    .par_iter()
                    .filter_map(|t| rs.score(t, &opts).ok())
                    .count()
            })
        };
        best = best.min(t1.elapsed().as_secs_f64());
    }
    let dt = t0.elapsed().as_secs_f64();
    let n = texts.len() * repeat;
    println!(
        "{{\"transcripts\": {n}, \"scored\": {ok}, \"threads\": {threads}, \"seconds\": {dt:.4}, \"transcripts_per_s\": {:.1}, \"mb_per_s\": {:.3}, \"best_pass_transcripts_per_s\": {:.1}}}",
        n as f64 / dt,
        (bytes * repeat) as f64 / dt / 1e6,
        texts.len() as f64 / best
    );
}
