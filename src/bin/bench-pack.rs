//! Compare scoring with the default rubric and with a custom pack of N rules (200 by
//! default), single-threaded, texts in memory: `cargo run --release --bin bench-pack [N_RULES]`.
//!
//! Prints one JSON line per corpus: the seeded generated corpus (2,000 calls of 10-60
//! turns), then `../shared/corpora/star/transcripts` when it is present (skipped, saying
//! so, when it is not). Each figure is the best of five passes, the two rulesets' passes
//! alternated.
use std::time::Instant;

/// The allocator the `callscore` command and the Python module use.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(200);
    let default = match callscore::Ruleset::builtin() {
        Ok(r) => r,
        Err(e) => return eprintln!("{e}"),
    };
    let t0 = Instant::now();
    let pack = match callscore::Ruleset::from_toml(&callscore_suite::big_pack(n), None) {
        Ok(r) => r,
        Err(e) => return eprintln!("{e}"),
    };
    let compile = t0.elapsed().as_secs_f64();
    let star = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/corpora/star/transcripts"
    );
    let mut corpora = vec![("generated", callscore_suite::generate(42, 2000, 10, 60))];
    match callscore_suite::read_texts(star) {
        Some(texts) => corpora.push(("star", texts)),
        None => eprintln!("SKIPPED: {star} not found; the generated corpus only"),
    }
    let opts = callscore::ScoreOptions::default();
    for (name, corpus) in corpora {
        let bytes: usize = corpus.iter().map(String::len).sum();
        let pass = |rs: &callscore::Ruleset| {
            let t0 = Instant::now();
            let scored = corpus
                .iter()
                .filter_map(|t| rs.score(t, &opts).ok())
                .count();
            (t0.elapsed().as_secs_f64(), scored)
        };
        // Warm up both, then the best of five passes each, alternated.
        let _ = (pass(default), pass(&pack));
        let mut best = [f64::INFINITY; 2];
        for _ in 0..5 {
            for (k, rs) in [default, &pack].into_iter().enumerate() {
                best[k] = best[k].min(pass(rs).0);
            }
        }
        let mb = |t: f64| bytes as f64 / t / 1e6;
        println!(
            "{{\"corpus\": \"{name}\", \"transcripts\": {}, \"rules\": {n}, \"pack_compile_s\": {compile:.3}, \"default_mb_s\": {:.2}, \"pack_mb_s\": {:.2}, \"default_tps\": {:.0}, \"pack_tps\": {:.0}, \"slowdown\": {:.2}}}",
            corpus.len(),
            mb(best[0]),
            mb(best[1]),
            corpus.len() as f64 / best[0],
            corpus.len() as f64 / best[1],
            best[1] / best[0]
        );
    }
}
