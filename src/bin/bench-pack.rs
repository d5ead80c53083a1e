//! Compare scoring with the default rubric and with a 200-rule pack on the generated corpus:
//! `cargo run --release --bin bench-pack [N_RULES]`.
use std::time::Instant;

/// The allocator the `callscore` command and the Python module use.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(200);
    let corpus = callscore_suite::generate(42, 2000, 10, 60);
    let bytes: usize = corpus.iter().map(String::len).sum();
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
    let opts = callscore::ScoreOptions::default();
    let mut times = Vec::new();
    for rs in [default, &pack] {
        let _ = corpus
            .iter()
            .take(200)
            .filter_map(|t| rs.score(t, &opts).ok())
            .count();
        let t0 = Instant::now();
        for _ in 0..3 {
            let _ = corpus
                .iter()
                .filter_map(|t| rs.score(t, &opts).ok())
                .count();
        }
        times.push(t0.elapsed().as_secs_f64() / 3.0);
    }
    let mb = |t: f64| bytes as f64 / t / 1e6;
    println!(
        "{{\"rules\": {n}, \"pack_compile_s\": {compile:.3}, \"default_mb_s\": {:.2}, \"pack_mb_s\": {:.2}, \"default_tps\": {:.0}, \"pack_tps\": {:.0}, \"slowdown\": {:.2}}}",
        mb(times[0]),
        mb(times[1]),
        corpus.len() as f64 / times[0],
        corpus.len() as f64 / times[1],
        times[1] / times[0]
    );
}
