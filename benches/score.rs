//! Criterion benchmarks: parsing alone and scoring with the default rubric, over the
//! project's seeded generator (10-60 turns; and long 200-turn calls) and, when present,
//! the STAR corpus in `../shared/corpora/star/transcripts`.
//!
//! `cargo bench --bench score` (add `-- --quick` for a fast run). Throughput is reported
//! in bytes/s (MB/s) and transcripts/s.

use std::path::Path;

/// The allocator the `callscore` command and the Python module use.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use callscore::{Format, Limits, Ruleset, ScoreOptions};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

fn star() -> Option<Vec<String>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora/star/transcripts");
    callscore_suite::read_texts(dir.to_str()?)
}

fn corpora() -> Vec<(&'static str, Vec<String>)> {
    let mut out = vec![
        ("generated", callscore_suite::generate(42, 500, 10, 60)),
        (
            "generated-long",
            callscore_suite::generate(43, 50, 200, 200),
        ),
    ];
    match star() {
        Some(s) => out.push(("star", s)),
        None => eprintln!(
            "SKIPPED: ../shared/corpora/star not found; benchmarking the generated corpus only"
        ),
    }
    out
}

fn bench(c: &mut Criterion) {
    let rs = Ruleset::builtin().expect("the built-in ruleset compiles");
    let pack = Ruleset::from_toml(&callscore_suite::big_pack(200), None)
        .expect("the 200-rule pack compiles");
    let opts = ScoreOptions::default();
    let limits = Limits::default();
    for (name, texts) in corpora() {
        let bytes: usize = texts.iter().map(String::len).sum();
        for (unit, tp) in [
            ("bytes", Throughput::Bytes(bytes as u64)),
            ("transcripts", Throughput::Elements(texts.len() as u64)),
        ] {
            let mut g = c.benchmark_group(format!("{name}/{unit}"));
            g.sample_size(10).throughput(tp);
            g.bench_function(BenchmarkId::new("parse", name), |b| {
                b.iter(|| {
                    texts
                        .iter()
                        .filter_map(|t| callscore::parse::read(t, Format::Text, &limits).ok())
                        .count()
                })
            });
            g.bench_function(BenchmarkId::new("score-default", name), |b| {
                b.iter(|| texts.iter().filter_map(|t| rs.score(t, &opts).ok()).count())
            });
            g.bench_function(BenchmarkId::new("score-200-rule-pack", name), |b| {
                b.iter(|| {
                    texts
                        .iter()
                        .filter_map(|t| pack.score(t, &opts).ok())
                        .count()
                })
            });
            g.finish();
        }
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
