//! Where one transcript's scoring time goes, phase by phase, over a directory of
//! transcripts held in memory: `bench-phases DIR [PASSES=15]`.
//!
//! Each phase is timed cumulatively (reading; reading and folding; `Ruleset::parse`, which
//! reads, folds and assigns roles; the whole `Ruleset::score`, which then scans for the
//! phrases' anchors, by side of the call, and runs the rules), and the best pass of each
//! is kept (the least disturbed on a busy machine). The differences between rows are the
//! phases' own costs. Prints one JSON line, microseconds per transcript. (Before session
//! 11, `Ruleset::parse` scanned too, and its key was `read_fold_scan_roles_us`.)

use std::time::Instant;

/// The allocator the `callscore` command and the Python module use.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The best (smallest) per-transcript time of `passes` runs of `f` over `texts`, in µs.
fn best(texts: &[String], passes: usize, mut f: impl FnMut(&str) -> usize) -> f64 {
    let mut best = f64::INFINITY;
    let mut sink = 0usize;
    for _ in 0..passes {
        let t0 = Instant::now();
        for t in texts {
            sink = sink.wrapping_add(f(t));
        }
        best = best.min(t0.elapsed().as_secs_f64());
    }
    std::hint::black_box(sink);
    best / texts.len().max(1) as f64 * 1e6
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = args.first() else {
        return eprintln!("usage: bench-phases DIR [PASSES]");
    };
    let passes: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(15);
    let Some(texts) = callscore_suite::read_texts(dir) else {
        return eprintln!("cannot read {dir}");
    };
    let rs = match callscore::Ruleset::builtin() {
        Ok(r) => r,
        Err(e) => return eprintln!("{e}"),
    };
    let opts = callscore::ScoreOptions::default();
    let read = |t: &str| callscore::parse::read(t, opts.format, &opts.limits);
    // Warm up (allocator, lazily compiled regexes).
    for t in texts.iter().take(500) {
        let _ = rs.score(t, &opts);
    }
    let read_us = best(&texts, passes, |t| read(t).map_or(0, |tr| tr.turns.len()));
    let fold_us = best(&texts, passes, |t| {
        read(t).map_or(0, |tr| callscore::fold::Folded::new(&tr.turns).buf.len())
    });
    let roles_us = best(&texts, passes, |t| {
        rs.parse(t, &opts).map_or(0, |tr| tr.turns.len())
    });
    let score_us = best(&texts, passes, |t| {
        rs.score(t, &opts).map_or(0, |r| r.findings.len())
    });
    println!(
        "{{\"transcripts\": {}, \"passes\": {passes}, \"read_us\": {read_us:.2}, \"read_fold_us\": {fold_us:.2}, \"read_fold_roles_us\": {roles_us:.2}, \"score_us\": {score_us:.2}}}",
        texts.len()
    );
}
