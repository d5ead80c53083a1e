use std::time::Instant;
fn main() {
    let dir = std::env::args().nth(1).unwrap_or_default();
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
    let total: usize = texts.iter().map(|t| t.len()).sum();
    for pats in [
        vec![r"(?m)(?-u:\b{start-half})hello(?-u:\b{end-half})"],
        vec![r"(?-u:\b{start-half})hello(?-u:\b{end-half})"],
        vec![r"(?-u:\b)hello(?-u:\b)"],
        vec![r"(?m)(?-u:\b)hello(?-u:\b)"],
        vec![r"hello", r"thank you", r"good (?:morning|day)"],
        vec![r"(?-u:\b)hello(?-u:\b)", r"(?-u:\b)thank you(?-u:\b)"],
        vec![
            r"(?-u:\b)hello(?-u:\b)",
            r"(?-u:\b)thank(?:[,;:]? |-)you(?-u:\b)",
        ],
        vec![r"\bhello\b", r"\bthank you\b"],
    ] {
        let set = regex::RegexSet::new(&pats).unwrap();
        let t0 = Instant::now();
        for t in &texts {
            let _ = set.matches(t);
        }
        let dt = t0.elapsed().as_secs_f64();
        println!("{:>8.1} MB/s {:?}", total as f64 / dt / 1e6, pats);
    }
}
