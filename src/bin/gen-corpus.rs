//! Write a seeded corpus of generated transcripts to a directory:
//! `gen-corpus DIR [N=1000] [SEED=42] [MIN_TURNS=10] [MAX_TURNS=60]`.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = args.first() else {
        eprintln!("usage: gen-corpus DIR [N] [SEED] [MIN_TURNS] [MAX_TURNS]");
        return ExitCode::from(2);
    };
    let num = |i: usize, d: u64| args.get(i).and_then(|s| s.parse().ok()).unwrap_or(d);
    let (n, seed, lo, hi) = (num(1, 1000), num(2, 42), num(3, 10), num(4, 60));
    if let Err(e) = std::fs::create_dir_all(dir) {
        eprintln!("gen-corpus: cannot create {dir}: {e}");
        return ExitCode::from(2);
    }
    let corpus = callscore_suite::generate(seed, n as usize, lo as usize, hi.max(lo) as usize);
    for (i, t) in corpus.iter().enumerate() {
        let path = format!("{dir}/gen_{i:06}.txt");
        if let Err(e) = std::fs::write(&path, t) {
            eprintln!("gen-corpus: cannot write {path}: {e}");
            return ExitCode::from(2);
        }
    }
    ExitCode::SUCCESS
}
