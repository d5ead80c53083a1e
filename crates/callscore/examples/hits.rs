//! Debug aid: print the folded speech and every phrase hit of a transcript read from stdin.
//!
//! `cargo run -p callscore --example hits < transcript.txt`
use std::io::Read;

fn main() {
    let mut s = String::new();
    if std::io::stdin().read_to_string(&mut s).is_err() {
        eprintln!("cannot read stdin");
        return;
    }
    let rs = match callscore::Ruleset::builtin() {
        Ok(rs) => rs,
        Err(e) => return eprintln!("{e}"),
    };
    match rs.phrase_hits(&s, &Default::default()) {
        Ok(hits) => {
            for (list, turn, words) in hits {
                println!("turn {turn:>3}  {list:<40} {words:?}");
            }
        }
        Err(e) => eprintln!("{e}"),
    }
}
