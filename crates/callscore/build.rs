//! Copies each built-in rule's `//!` doc comment into `RULE_DOCS`, so that the rule's
//! source documentation is also its user documentation (`callscore explain RULE`).

use std::fmt::Write as _;
use std::{env, fs, path::Path};

fn main() {
    let dir = Path::new("src/rules");
    println!("cargo:rerun-if-changed=src/rules");
    let mut entries: Vec<(String, String)> = Vec::new();
    let Ok(read) = fs::read_dir(dir) else {
        panic!("build.rs: cannot read src/rules");
    };
    for entry in read.flatten() {
        let path = entry.path();
        let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        if stem == "mod" || path.extension().and_then(|e| e.to_str()) != Some("rs") {
            continue;
        }
        println!("cargo:rerun-if-changed={}", path.display());
        let src = fs::read_to_string(&path).unwrap_or_default();
        let doc: Vec<&str> = src
            .lines()
            .take_while(|l| l.starts_with("//!"))
            .map(|l| {
                l.trim_start_matches("//!")
                    .strip_prefix(' ')
                    .unwrap_or(l.trim_start_matches("//!"))
            })
            .collect();
        entries.push((stem.replace('_', "-"), doc.join("\n").trim().to_string()));
    }
    entries.sort();
    let mut out = String::from("/// The user documentation of each built-in rule, from its source file.\npub static RULE_DOCS: &[(&str, &str)] = &[\n");
    for (id, doc) in entries {
        let _ = writeln!(out, "    ({id:?}, {doc:?}),");
    }
    out.push_str("];\n");
    let dest = Path::new(&env::var("OUT_DIR").unwrap_or_else(|_| ".".into())).join("rule_docs.rs");
    if let Err(e) = fs::write(&dest, out) {
        panic!("build.rs: cannot write {}: {e}", dest.display());
    }
}
