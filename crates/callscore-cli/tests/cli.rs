//! End-to-end tests of the `callscore` binary: every output format, exit codes, stdin,
//! directories, and a batch with bad files in it.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_callscore"))
}

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("run callscore")
}

/// A scratch directory for one test, removed again when the test ends (pass or fail).
struct TempDir(PathBuf);

impl TempDir {
    fn join(&self, p: impl AsRef<Path>) -> PathBuf {
        self.0.join(p)
    }
}

impl AsRef<Path> for TempDir {
    fn as_ref(&self) -> &Path {
        &self.0
    }
}

impl std::ops::Deref for TempDir {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn tmpdir(name: &str) -> TempDir {
    let d = std::env::temp_dir().join(format!("callscore-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    TempDir(d)
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

/// `callscore score -f jsonl DIR`, which must succeed: its reports, in order.
fn score_dir(d: &Path) -> Vec<Value> {
    let o = run(&["score", "-f", "jsonl", d.to_str().unwrap()]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn text_scorecard_quotes_evidence_and_tips() {
    let f = examples().join("overpromise.txt");
    let o = run(&["score", f.to_str().unwrap()]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let s = stdout(&o);
    assert!(s.contains("Score 76.2 / 100"), "{s}");
    assert!(s.contains("FAIL no-overpromising"), "{s}");
    assert!(
        s.contains("he'll ring you back within the hour, I promise"),
        "{s}"
    );
    assert!(s.contains("tip: Promise only what you control"), "{s}");
    assert!(s.contains("missing: number, company"), "{s}");
    // The columns line up: rule ids are padded, whatever their length.
    assert!(s.contains("  PASS greeting                10  "), "{s}");
    assert!(s.contains("  PASS no-hang-up            ! 15  "), "{s}");
}

#[test]
fn json_is_the_library_report() {
    let f = examples().join("overpromise.txt");
    let path = f.to_str().unwrap();
    let o = run(&["score", "--format", "json", path]);
    assert_eq!(o.status.code(), Some(0));
    let text = std::fs::read_to_string(&f).unwrap();
    let opts = callscore::ScoreOptions {
        source: Some(path.to_string()),
        ..Default::default()
    };
    let lib = callscore::score(&text, &opts).unwrap().to_json();
    assert_eq!(stdout(&o).trim_end(), lib);
    let v: Value = serde_json::from_str(&lib).unwrap();
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["score"], 76.2);
    assert_eq!(v["agent"]["by"], "header");
    assert_eq!(v["findings"].as_array().unwrap().len(), 14);
    assert_eq!(v["findings"][13]["status"], "n/a");
}

#[test]
fn jsonl_batch_with_bad_files_scores_the_rest_and_exits_2() {
    let d = tmpdir("batch");
    std::fs::copy(examples().join("model-call.txt"), d.join("a-good.txt")).unwrap();
    std::fs::write(
        d.join("b-latin1.txt"),
        b"Agent: Hello, caf\xe9\nCustomer: hi\n",
    )
    .unwrap();
    std::fs::write(d.join("c-empty.txt"), b"").unwrap();
    std::fs::write(d.join("d-binary.txt"), b"\x00\x01\x02").unwrap();
    std::fs::write(d.join("e-nospeech.txt"), b"just some notes\n[ringing]\n").unwrap();
    std::fs::copy(examples().join("cut-off.txt"), d.join("f-good.txt")).unwrap();
    std::fs::write(d.join("ignored.md"), b"not a transcript").unwrap();
    let o = run(&["score", "-f", "jsonl", d.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let lines: Vec<Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 6);
    assert!(lines[0]["score"].is_number() && lines[5]["score"].is_number());
    let kinds: Vec<&str> = lines[1..5]
        .iter()
        .map(|l| l["error"]["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["invalid-utf8", "no-speech", "binary", "no-speech"]);
    assert_eq!(lines[1]["error"]["line"], 1);
    assert!(lines[1]["source"]
        .as_str()
        .unwrap()
        .ends_with("b-latin1.txt"));
    assert!(lines[1]["error"]["message"]
        .as_str()
        .unwrap()
        .contains("byte 17"));
    // --lossy scores it and says so.
    let o = run(&[
        "score",
        "-f",
        "json",
        "--lossy",
        d.join("b-latin1.txt").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(v["warnings"][0]
        .as_str()
        .unwrap()
        .contains("not valid UTF-8"));
}

#[test]
fn missing_file_and_directory_as_file_are_reported() {
    let o = run(&[
        "score",
        "-f",
        "jsonl",
        "/nonexistent/x.txt",
        examples().join("model-call.txt").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let lines: Vec<Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[0]["error"]["kind"], "io");
    assert_eq!(lines[1]["score"], 100.0);
}

#[test]
fn json_for_several_inputs_is_an_array() {
    let a = examples().join("model-call.txt");
    let b = examples().join("cut-off.txt");
    let o = run(&[
        "score",
        "-f",
        "json",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
    ]);
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 2);
}

#[test]
fn fail_under_exits_1() {
    let f = examples().join("overpromise.txt");
    assert_eq!(
        run(&["score", "--fail-under", "80", f.to_str().unwrap()])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        run(&["score", "--fail-under", "70", f.to_str().unwrap()])
            .status
            .code(),
        Some(0)
    );
}

#[test]
fn pass_mark_and_agent_options() {
    let f = examples().join("overpromise.txt");
    let o = run(&[
        "score",
        "-f",
        "json",
        "--pass-mark",
        "70",
        f.to_str().unwrap(),
    ]);
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(
        (v["pass_mark"].as_f64(), v["passed"].as_bool()),
        (Some(70.0), Some(true))
    );
    let o = run(&[
        "score",
        "-f",
        "json",
        "--agent",
        "caller",
        f.to_str().unwrap(),
    ]);
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["agent"]["speakers"][0], "Caller");
    assert_eq!(v["agent"]["by"], "option");
    let o = run(&["score", "--agent", "Nobody", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("does not speak"));
}

#[test]
fn stdin_is_read_with_dash() {
    let mut child = bin()
        .args(["score", "-f", "jsonl", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"Agent: Hello, this is Jo.\nCustomer: Hi.\nAgent: Thanks, bye.\n")
        .unwrap();
    let o = child.wait_with_output().unwrap();
    let v: Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(v["source"], "-");
    assert_eq!(v["score"], 100.0);
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(run(&["score"]).status.code(), Some(2));
    assert_eq!(run(&["score", "--bogus", "x"]).status.code(), Some(2));
    assert_eq!(run(&["frobnicate"]).status.code(), Some(2));
    let o = run(&["score", "--input-format", "docx", "x.txt"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--input-format"));
}

#[test]
fn rules_and_explain() {
    let o = run(&["rules"]);
    let s = stdout(&o);
    assert_eq!(o.status.code(), Some(0));
    for id in ["greeting", "no-hang-up", "no-interruption"] {
        assert!(s.contains(id), "{s}");
    }
    assert!(s
        .lines()
        .any(|l| l.starts_with("polite-language") && l.contains("yes")));
    let o = run(&["rules", "--show-phrases"]);
    assert!(stdout(&o).contains("good (morning|afternoon|evening|day)"));
    let o = run(&["explain", "no-overpromising"]);
    let s = stdout(&o);
    assert!(
        s.contains("**What it checks.**") && s.contains("**Tip.**"),
        "{s}"
    );
    let o = run(&["explain", "nope"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("unknown rule"));
}

fn packs() -> PathBuf {
    examples().join("packs")
}

#[test]
fn shipped_packs_check_clean_and_score() {
    for p in ["inbound-support.toml", "outbound-sales.toml"] {
        let o = run(&["check", packs().join(p).to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
        assert!(stdout(&o).contains("0 failed"));
    }
    let pack = packs().join("inbound-support.toml");
    let f = examples().join("model-call.txt");
    let o = run(&[
        "score",
        "-f",
        "json",
        "--rules",
        pack.to_str().unwrap(),
        f.to_str().unwrap(),
    ]);
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["pass_mark"], 85.0);
    let rules: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"branded-opening") && rules.contains(&"emergency-gas"));
    let o = run(&["rules", "--rules", pack.to_str().unwrap()]);
    assert!(stdout(&o).contains("verify-before-account"));
    let o = run(&[
        "explain",
        "emergency-gas",
        "--rules",
        pack.to_str().unwrap(),
    ]);
    assert!(stdout(&o).contains("0800 111 999"), "{}", stdout(&o));
}

#[test]
fn check_reports_failing_examples_and_broken_packs() {
    let d = tmpdir("packs");
    let bad_example = d.join("ex.toml");
    std::fs::write(&bad_example, "[[rule]]\nid = \"hi\"\nkind = \"require\"\nphrases = [\"hello\"]\nexamples.pass = [\"Agent: Hi there.\"]\n").unwrap();
    let o = run(&["check", bad_example.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("FAIL hi: example 1 of examples.pass gave `fail`"),
        "{}",
        stdout(&o)
    );
    let broken = d.join("broken.toml");
    std::fs::write(&broken, "[pack]\nname = \"x\"\n\n[[rule]]\nid = \"a\"\nkind = \"forbid\"\nphrases = [\"ok\", \"hi {nobody}\"]\n").unwrap();
    let o = run(&["check", broken.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("broken.toml:7:") && err.contains("unknown placeholder {nobody}"),
        "{err}"
    );
}

/// Results are written as they are scored: with a FIFO as the last input, the reports of
/// the inputs before it appear on stdout while the CLI is still waiting to read it.
#[test]
#[cfg(unix)]
fn jsonl_streams_results_before_the_last_input_is_read() {
    streams_before_the_last_input(&[], "stream");
}

/// The same with `-j 1`, where one thread reads, scores and writes each input in turn.
#[test]
#[cfg(unix)]
fn jsonl_on_one_thread_streams_too() {
    streams_before_the_last_input(&["-j", "1"], "stream-j1");
}

#[cfg(unix)]
fn streams_before_the_last_input(options: &[&str], name: &str) {
    use std::io::{BufRead, BufReader};
    let d = tmpdir(name);
    let src = std::fs::read(examples().join("model-call.txt")).unwrap();
    for i in 0..600 {
        std::fs::write(d.join(format!("t{i:04}.txt")), &src).unwrap();
    }
    let fifo = d.join("zz-last.fifo");
    let ok = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !ok {
        eprintln!("SKIPPED: mkfifo not available");
        return;
    }
    let mut args = vec!["score".to_string(), "-f".into(), "jsonl".into()];
    args.extend(options.iter().map(|o| o.to_string()));
    let mut files: Vec<_> = std::fs::read_dir(&d)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    args.extend(files.iter().map(|p| p.display().to_string()));
    args.push(fifo.display().to_string());
    let mut child = bin().args(&args).stdout(Stdio::piped()).spawn().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    // 600 inputs = two full chunks of 256 before the chunk that holds the FIFO.
    for _ in 0..512 {
        let line = lines.next().unwrap().unwrap();
        assert!(line.contains("\"score\""), "{line}");
    }
    // Only now feed the last input; the CLI was blocked on it all along. (From another
    // thread, while this one reads on: on one thread, the CLI writes the reports of the
    // files before the FIFO as it goes, and would wait for a full pipe to be read.)
    let feeder = std::thread::spawn(move || {
        std::fs::write(
            &fifo,
            b"Agent: Hello, this is Jo.\nCustomer: Hi.\nAgent: Thanks, bye.\n",
        )
    });
    let rest: Vec<String> = lines.map(|l| l.unwrap()).collect();
    feeder.join().unwrap().unwrap();
    assert_eq!(rest.len(), 89);
    assert!(rest.last().unwrap().contains("zz-last.fifo"));
    assert_eq!(child.wait().unwrap().code(), Some(0));
}

/// `-j 1` (one thread from start to end) and the pool (reading ahead, scoring in chunks,
/// writing each chunk in one vectored write) print the same bytes, in every format, for a
/// batch of several chunks with failures among them (which print nothing to stdout in the
/// text format: the separators must still come out right across chunks).
#[test]
fn one_thread_and_the_pool_print_the_same() {
    let d = tmpdir("same-output");
    let good = std::fs::read(examples().join("model-call.txt")).unwrap();
    let cut = std::fs::read(examples().join("cut-off.txt")).unwrap();
    for i in 0..700 {
        let (name, bytes): (_, &[u8]) = match i % 97 {
            0 => (format!("t{i:04}.txt"), b"just notes\n"),
            1 => (format!("t{i:04}.txt"), b"Agent: caf\xe9\n"),
            k if k % 2 == 0 => (format!("t{i:04}.txt"), &good),
            _ => (format!("t{i:04}.txt"), &cut),
        };
        std::fs::write(d.join(name), bytes).unwrap();
    }
    let dir = d.to_str().unwrap();
    for format in ["json", "jsonl", "text"] {
        let outs: Vec<Output> = [&["-j", "1"][..], &["-j", "2"], &[]]
            .iter()
            .map(|j| {
                let mut args = vec!["score", "-f", format, dir, "missing.txt"];
                args.extend_from_slice(j);
                run(&args)
            })
            .collect();
        for o in &outs[1..] {
            assert_eq!(o.status.code(), Some(2), "{format}");
            assert!(o.stdout == outs[0].stdout, "{format}: stdout differs");
            assert!(o.stderr == outs[0].stderr, "{format}: stderr differs");
        }
        if format == "json" {
            let v: Value = serde_json::from_slice(&outs[0].stdout).unwrap();
            assert_eq!(v.as_array().unwrap().len(), 701);
        }
    }
}

/// Every adversarial fixture gives a report or a located error, and a batch holding all of
/// them (plus a directory given as a file's place and a dangling link) scores every valid one.
#[test]
fn adversarial_batch_scores_every_valid_file() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/adversarial");
    let d = tmpdir("adversarial");
    for e in std::fs::read_dir(&fixtures).unwrap().flatten() {
        std::fs::copy(e.path(), d.join(e.file_name())).unwrap();
    }
    #[cfg(unix)]
    std::os::unix::fs::symlink(d.join("missing-target"), d.join("dangling.txt")).unwrap();
    let sub = d.join("a-directory.txt");
    std::fs::create_dir_all(&sub).unwrap();
    let mut args = vec![
        "score".to_string(),
        "-f".into(),
        "jsonl".into(),
        d.display().to_string(),
    ];
    args.push(sub.display().to_string()); // a directory named like a file: walked (empty)
    let o = bin().args(&args).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    let by_name: std::collections::BTreeMap<String, Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .map(|v| {
            (
                v["source"]
                    .as_str()
                    .unwrap()
                    .rsplit('/')
                    .next()
                    .unwrap()
                    .to_string(),
                v,
            )
        })
        .collect();
    for ok in [
        "bidi-override.txt",
        "control-chars.txt",
        "cr-only.txt",
        "crlf.txt",
        "smart-quotes-word.txt",
        "utf16-bom.txt",
        "zero-width.txt",
    ] {
        assert_eq!(by_name[ok]["score"], 100.0, "{ok}: {}", by_name[ok]);
    }
    let kind = |n: &str| by_name[n]["error"]["kind"].as_str().unwrap().to_string();
    assert_eq!(kind("empty.txt"), "no-speech");
    assert_eq!(kind("headers-only.txt"), "no-speech");
    assert_eq!(kind("only-events.txt"), "no-speech");
    assert_eq!(kind("nul-bytes.txt"), "binary");
    assert_eq!(kind("invalid-utf8.txt"), "invalid-utf8");
    assert_eq!(by_name["invalid-utf8.txt"]["error"]["line"], 2);
    assert!(by_name["invalid-utf8.txt"]["error"]["message"]
        .as_str()
        .unwrap()
        .contains("byte 46"));
    #[cfg(unix)]
    assert_eq!(kind("dangling.txt"), "io");
}

/// A directory is walked in name order, into subdirectories and through symbolic links
/// (the listing's entry kinds are used, and a link is followed to see what it leads to);
/// hidden entries and other extensions are skipped.
#[cfg(unix)]
#[test]
fn directory_walk_follows_links_and_skips_hidden_entries() {
    let d = tmpdir("walk");
    let call = "Agent: Good morning, this is Jo.\nCustomer: Hi.\nAgent: Thanks, bye.\n";
    std::fs::create_dir_all(d.join("real")).unwrap();
    std::fs::create_dir_all(d.join(".hidden")).unwrap();
    std::fs::write(d.join("real/a.txt"), call).unwrap();
    std::fs::write(d.join(".hidden/h.txt"), call).unwrap();
    std::fs::write(d.join(".h.txt"), call).unwrap();
    std::fs::write(d.join("notes.md"), call).unwrap();
    std::fs::write(d.join("c.txt"), call).unwrap();
    std::os::unix::fs::symlink(d.join("real"), d.join("link")).unwrap();
    std::os::unix::fs::symlink(d.join("c.txt"), d.join("b.txt")).unwrap();
    let sources: Vec<String> = score_dir(&d)
        .iter()
        .map(|v| {
            let s = v["source"].as_str().unwrap().to_string();
            s.strip_prefix(d.to_str().unwrap()).unwrap().to_string()
        })
        .collect();
    assert_eq!(sources, ["/b.txt", "/c.txt", "/link/a.txt", "/real/a.txt"]);
}

#[test]
fn a_txt_file_holding_an_export_is_read_as_what_it_is() {
    // Tools save WebVTT and SRT exports as `.txt`: the content decides, plain text being
    // the fallback, so the timing rules apply to them.
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/formats");
    let d = tmpdir("txt-export");
    for (from, to) in [
        ("call.vtt", "vtt.txt"),
        ("call.srt", "srt.txt"),
        ("call.txt", "plain.txt"),
    ] {
        std::fs::copy(fixtures.join(from), d.join(to)).unwrap();
    }
    let dead_air: Vec<(String, String)> = score_dir(&d)
        .iter()
        .map(|v| {
            let f = v["findings"].as_array().unwrap();
            let d = f.iter().find(|x| x["rule"] == "dead-air").unwrap();
            let src = v["source"]
                .as_str()
                .unwrap()
                .rsplit('/')
                .next()
                .unwrap()
                .to_string();
            (src, d["status"].as_str().unwrap().to_string())
        })
        .collect();
    assert_eq!(
        dead_air,
        [
            ("plain.txt".to_string(), "n/a".to_string()),
            ("srt.txt".to_string(), "fail".to_string()),
            ("vtt.txt".to_string(), "fail".to_string()),
        ]
    );
}
