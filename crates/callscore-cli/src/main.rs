//! `callscore`: score call transcripts from the command line.
//!
//! A thin shell over the `callscore` crate: it finds and reads files, scores them in
//! parallel (rayon) and writes the results in input order a chunk at a time, each chunk as
//! soon as all its inputs are done, so memory stays bounded and an interrupted run keeps
//! what it wrote.
//!
//! On several cores nothing waits for nothing: the rules compile on a pool thread
//! while the main thread lists the inputs and reads the first files (up to 16 MB, plain
//! files only); then the pool's threads each take the next input (at most four chunks
//! ahead of the writing, see [`order`]) while the main thread writes. Reports are
//! rendered and dropped on the thread that scored them; a chunk's texts go out in one
//! vectored write (not copied into a buffer) and are freed on the pool too. With `-j 1`,
//! or on one core, there is one thread: compile, then read, score and write each input
//! in turn.

use std::io::{self, IsTerminal, Read, Write};
use std::path::Path;
use std::process::ExitCode;

use callscore::{Error, Format, Report, Ruleset, ScoreOptions, Status};
use clap::{Parser, Subcommand, ValueEnum};

/// mimalloc: scoring makes many small, short-lived allocations (turns, findings,
/// evidence), and it serves them faster than the system allocator (measured: about 12%
/// more transcripts per second on one core).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod inputs;
mod order;
mod render;

use inputs::{gather, Input};

/// Score transcribed phone calls against call-etiquette rules.
#[derive(Parser, Debug)]
#[command(name = "callscore", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Score transcripts (files, directories walked for .txt/.vtt/.srt/.json, or `-` for stdin).
    Score(ScoreArgs),
    /// List the rules with id, weight, critical and the one-line description.
    Rules {
        /// Also print every rule's phrase lists.
        #[arg(long)]
        show_phrases: bool,
        /// Print as JSON.
        #[arg(long)]
        json: bool,
        /// A rule pack (TOML) instead of the default rubric.
        #[arg(long, value_name = "PACK.toml")]
        rules: Option<String>,
    },
    /// Print a rule's full documentation.
    Explain {
        /// The rule id, e.g. `no-overpromising`.
        rule: String,
        /// A rule pack (TOML) that defines the rule.
        #[arg(long, value_name = "PACK.toml")]
        rules: Option<String>,
    },
    /// Validate a rule pack and run every rule's examples; exit 1 if any example fails.
    Check {
        /// The rule pack.
        pack: String,
    },
}

#[derive(clap::Args, Debug)]
struct ScoreArgs {
    /// Transcript files or directories; `-` reads standard input.
    #[arg(required = true)]
    inputs: Vec<String>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = OutFormat::Text)]
    format: OutFormat,
    /// Speaker name to take as the agent (repeatable); overrides headers and inference.
    #[arg(long = "agent", short = 'a', value_name = "NAME")]
    agents: Vec<String>,
    /// Pass mark (default 80).
    #[arg(long, value_name = "N")]
    pass_mark: Option<f64>,
    /// Exit with status 1 if any transcript scores below N.
    #[arg(long, value_name = "N")]
    fail_under: Option<f64>,
    /// Input format: auto, text, vtt, srt or json (auto: from the file extension, else the content).
    #[arg(long, value_name = "FORMAT", default_value = "auto")]
    input_format: String,
    /// Replace invalid UTF-8 instead of failing (the report says so).
    #[arg(long)]
    lossy: bool,
    /// A rule pack (TOML) to score with instead of the default rubric.
    #[arg(long, value_name = "PACK.toml")]
    rules: Option<String>,
    /// Threads (default: all cores). With 1, everything runs on one thread: the rules
    /// compile, then each input is read, scored and written in turn.
    #[arg(long, short = 'j', value_name = "N")]
    threads: Option<usize>,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
enum OutFormat {
    /// A readable scorecard per transcript.
    Text,
    /// One JSON report (a JSON array for several inputs).
    Json,
    /// One JSON report per line.
    Jsonl,
}

/// One input's outcome as the writer needs it: its score (for `--fail-under`) or why it
/// failed, and what it prints as.
struct Done {
    result: Result<f64, Failure>,
    text: String,
}

/// An input's bytes, or why they could not be read.
type Bytes = Result<Vec<u8>, Failure>;

/// A failure to score one input.
struct Failure {
    source: String,
    kind: String,
    message: String,
    line: Option<usize>,
}

impl Failure {
    fn from_error(source: String, e: &Error) -> Self {
        Failure {
            message: e.to_string(),
            kind: e.kind().to_string(),
            line: e.line(),
            source,
        }
    }

    /// `{"source": ..., "error": {"kind": ..., "message": ..., "line": N}}`, keys in that order.
    fn to_json(&self) -> String {
        let s = |v: &str| serde_json::to_string(v).unwrap_or_default();
        let line = self.line.map_or("null".to_string(), |l| l.to_string());
        format!(
            "{{\"source\":{},\"error\":{{\"kind\":{},\"message\":{},\"line\":{line}}}}}",
            s(&self.source),
            s(&self.kind),
            s(&self.message)
        )
    }
}

/// Inputs scored (in parallel) before their results are written: bounds memory and
/// makes `jsonl` output stream.
const CHUNK: usize = 256;
/// The most inputs scored ahead of the writing on several threads (see `order`).
const WINDOW: usize = 4 * CHUNK;
/// The most bytes read ahead while the rules compile (see `score`).
const EARLY_BYTES: u64 = 16 << 20;
/// Batches larger than this show a progress bar when stderr is a terminal.
const PROGRESS_MIN: usize = 1000;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(msg) => {
            eprintln!("callscore: {msg}");
            ExitCode::from(2)
        }
    }
}

/// The default rubric, or a pack read from a file (kept for the life of the process).
fn load(pack: Option<&str>) -> Result<&'static Ruleset, String> {
    match pack {
        None => Ruleset::builtin().map_err(|e| e.to_string()),
        Some(path) => {
            let src = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read rule pack {path}: {e}"))?;
            let rs = Ruleset::from_toml(&src, Some(path)).map_err(|e| e.to_string())?;
            Ok(Box::leak(Box::new(rs)))
        }
    }
}

fn run(cli: Cli) -> Result<u8, String> {
    match cli.command {
        Command::Rules {
            show_phrases,
            json,
            rules,
        } => {
            print!(
                "{}",
                render::rules(load(rules.as_deref())?, show_phrases, json)
            );
            Ok(0)
        }
        Command::Explain { rule, rules } => {
            let rs = load(rules.as_deref())?;
            let r = rs.rule(&rule).map_err(|e| e.to_string())?;
            println!(
                "{}\n\nWeight: {}{}\nTip: {}",
                r.doc,
                r.weight,
                if r.critical { " (critical)" } else { "" },
                r.tip
            );
            Ok(0)
        }
        Command::Check { pack } => {
            let rs = load(Some(&pack))?;
            let c = rs.check();
            for f in &c.failures {
                let got = f
                    .got
                    .map_or("an error".to_string(), |s| format!("`{}`", s.as_str()));
                println!(
                    "FAIL {}: example {} of examples.{} gave {got}, not `{}`\n     {:?}\n     {}",
                    f.rule,
                    f.index,
                    f.expected.as_str(),
                    f.expected.as_str(),
                    f.example,
                    f.message
                );
            }
            println!(
                "{pack}: {} rules, {} examples run, {} failed",
                rs.rules().count(),
                c.run,
                c.failures.len()
            );
            println!(
                "{} passed, {} failed",
                c.run - c.failures.len(),
                c.failures.len()
            );
            Ok(u8::from(!c.ok()))
        }
        Command::Score(args) => score(args),
    }
}

fn score(args: ScoreArgs) -> Result<u8, String> {
    let format = Format::from_name(&args.input_format).ok_or_else(|| {
        format!(
            "unknown --input-format `{}` (use auto or text)",
            args.input_format
        )
    })?;
    // `-j 1` (or one core): one thread from start to end. The rules compile on it, then
    // each input is read, scored and written in turn: one core's worth, nothing started
    // beside it (what someone running several batches side by side asks for, and on one
    // core the fastest way: over STAR 93-95 ms, against 100-101 for the pool's way pinned
    // to one core).
    let cores = || std::thread::available_parallelism().map_or(1, |n| n.get());
    let serial = args.threads.unwrap_or_else(cores) <= 1;
    if serial {
        callscore::set_compile_threads(1);
    } else if let Some(n) = args.threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()
            .map_err(|e| e.to_string())?;
    }
    let opts = ScoreOptions {
        agents: args.agents.clone(),
        pass_mark: args.pass_mark,
        format,
        lossy: args.lossy,
        ..Default::default()
    };
    // The rules compile on one of the pool's threads while this one lists the inputs
    // (with `-j 1`, one after the other). (On the pool rather than a thread of its own:
    // one thread fewer to start, and the thread that compiled then scores, reusing the
    // memory compiling freed: over STAR 54.2-55.0 ms against 54.9-55.8, alternated.)
    let (loaded, (inputs, failures_before), early) = if serial {
        (
            Ok(load(args.rules.as_deref())),
            gather(&args.inputs),
            Vec::new(),
        )
    } else {
        let compiled = std::sync::atomic::AtomicBool::new(false);
        let loading = std::sync::OnceLock::new();
        let (found, early) = rayon::in_place_scope(|s| {
            s.spawn(|_| {
                let _ = loading.set(load(args.rules.as_deref()));
                compiled.store(true, std::sync::atomic::Ordering::Release);
            });
            let found = gather(&args.inputs);
            // Listing takes a few ms, compiling ~15: meanwhile this thread reads the first
            // files, so that their I/O is done when the scoring starts (bounded: at most
            // EARLY_BYTES, whatever the batch). Only plain files: opening a FIFO would wait
            // for its writer, and its turn comes later.
            let mut early = Vec::new();
            let mut bytes = 0u64;
            for input in found.0.iter() {
                if compiled.load(std::sync::atomic::Ordering::Acquire) {
                    break;
                }
                let Input::File { listed, .. } = input else {
                    break;
                };
                let path = input.path();
                let path = path.as_deref();
                // (A file the listing says is regular needs no look-up of its own: its open
                // file tells its size. Looking each one up by path was more kernel time than
                // opening them all.)
                if !listed && !path.is_some_and(|p| std::fs::metadata(p).is_ok_and(|m| m.is_file()))
                {
                    break;
                }
                let read = match open_input(path) {
                    Ok((_, len)) if bytes + len > EARLY_BYTES => break,
                    Ok((file, len)) => {
                        bytes += len;
                        read_opened(path, file, len, &opts.limits)
                    }
                    Err(f) => Err(f),
                };
                early.push(read);
            }
            (found, early)
        });
        (loading.into_inner().ok_or(()), found, early)
    };
    let ruleset = loaded.map_err(|_| "loading the rules failed".to_string())??;
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let color = io::stdout().is_terminal();
    let (mut n_fail, mut below) = (0usize, false);
    let mut first = true;
    let many = inputs.len() + failures_before.len() > 1;
    let w = |out: &mut io::BufWriter<io::StdoutLock>, s: &str| -> Result<(), String> {
        out.write_all(s.as_bytes())
            .map_err(|e| format!("cannot write output: {e}"))
    };
    if args.format == OutFormat::Json && many {
        w(&mut out, "[")?;
    }
    let format = args.format;
    // What a result prints as, and what the writer needs of it: made on the worker
    // threads, so that only writing is left to the main thread, and each report is
    // dropped by the thread that built it (freeing its ~25 blocks on another thread costs
    // the allocator more: 8 ms more CPU time over STAR, on one worker or two).
    let done = |r: Result<Report, Failure>| -> Done {
        let text = match (&r, format) {
            (Ok(rep), OutFormat::Text) => render::scorecard(rep, color),
            (Ok(rep), _) => rep.to_json(),
            (Err(_), OutFormat::Text) => String::new(),
            (Err(f), _) => f.to_json(),
        };
        Done {
            result: r.map(|rep| rep.score),
            text,
        }
    };
    // Writes `done`'s outputs in order, each after its separator, in one vectored write
    // when they are more than the buffer holds (a chunk's reports go to the output
    // without being copied), and keeps the count of failures and scores under the mark.
    let mut emit = |out: &mut io::BufWriter<io::StdoutLock>, done: &[Done]| -> Result<(), String> {
        let mut parts = Vec::with_capacity(3 * done.len());
        for Done { result, text } in done {
            if let (Err(f), OutFormat::Text) = (result, format) {
                eprintln!("callscore: {}: {}", f.source, f.message);
            }
            match result {
                Ok(score) => below |= args.fail_under.is_some_and(|n| *score < n),
                Err(_) => n_fail += 1,
            }
            if text.is_empty() {
                continue;
            }
            let sep = match args.format {
                OutFormat::Json if many && !first => ",\n",
                OutFormat::Text if !first => "\n",
                _ => "",
            };
            first = false;
            if !sep.is_empty() {
                parts.push(io::IoSlice::new(sep.as_bytes()));
            }
            parts.push(io::IoSlice::new(text.as_bytes()));
            if args.format != OutFormat::Json || !many {
                parts.push(io::IoSlice::new(b"\n"));
            }
        }
        write_all_vectored(out, &mut parts).map_err(|e| format!("cannot write output: {e}"))
    };
    for f in failures_before {
        emit(&mut out, &[done(Err(f))])?;
    }
    // A progress bar on a terminal for large batches; silent in pipes and CI.
    let bar = (io::stderr().is_terminal() && inputs.len() > PROGRESS_MIN).then(|| {
        let b = indicatif::ProgressBar::new(inputs.len() as u64);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{bar:40} {pos}/{len} transcripts, {per_sec}, eta {eta}",
        ) {
            b.set_style(style);
        }
        b
    });
    // Each chunk's results go out together, and the output is flushed after it.
    let chunk_written = |out: &mut io::BufWriter<io::StdoutLock>, n: usize| {
        out.flush()
            .map_err(|e| format!("cannot write output: {e}"))?;
        if let Some(b) = &bar {
            b.inc(n as u64);
        }
        Ok::<(), String>(())
    };
    if serial {
        for start in (0..inputs.len()).step_by(CHUNK) {
            let end = inputs.len().min(start + CHUNK);
            for i in start..end {
                let r = score_input(ruleset, inputs.get(i), None, &opts);
                emit(&mut out, &[done(r)])?;
            }
            chunk_written(&mut out, end - start)?;
        }
    } else {
        // The pool's threads score input after input, each taking the next (at most
        // WINDOW ahead of the writing), while this thread writes each chunk as soon as
        // all its inputs are done (see `order`): writing overlaps scoring, results still
        // reach the output a chunk at a time, and no thread waits at the end of a chunk.
        // An early read's bytes are taken (and freed) by the thread that scores them.
        let early: Vec<std::sync::Mutex<Option<Bytes>>> = early
            .into_iter()
            .map(|r| std::sync::Mutex::new(Some(r)))
            .collect();
        let work = |i: usize| {
            let read = early
                .get(i)
                .and_then(|slot| slot.lock().unwrap_or_else(|p| p.into_inner()).take());
            done(score_input(ruleset, inputs.get(i), read, &opts))
        };
        order::ordered(
            inputs.len(),
            rayon::current_num_threads(),
            CHUNK,
            WINDOW,
            work,
            |results| {
                emit(&mut out, results)?;
                chunk_written(&mut out, results.len())
            },
        )?;
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    if args.format == OutFormat::Json && many {
        w(&mut out, "]\n")?;
    }
    out.flush()
        .map_err(|e| format!("cannot write output: {e}"))?;
    if n_fail > 0 {
        eprintln!("callscore: {n_fail} input(s) could not be scored");
        return Ok(2);
    }
    Ok(u8::from(below))
}

/// Write all of `parts` to `out` (`Write::write_all_vectored` is not stable yet).
fn write_all_vectored(out: &mut impl Write, mut parts: &mut [io::IoSlice<'_>]) -> io::Result<()> {
    io::IoSlice::advance_slices(&mut parts, 0);
    while !parts.is_empty() {
        match out.write_vectored(parts) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => io::IoSlice::advance_slices(&mut parts, n),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// What reports and messages call an input: its path (`None`: standard input, `-`).
fn source(path: Option<&Path>) -> String {
    path.map_or_else(|| "-".to_string(), |p| p.display().to_string())
}

/// An input's bytes, by its path (`None`: standard input), size-checked against `limits`
/// before reading.
fn read_input(path: Option<&Path>, limits: &callscore::Limits) -> Bytes {
    let (file, len) = open_input(path)?;
    read_opened(path, file, len, limits)
}

/// A failure to read the input at `path`.
fn io_failure(path: Option<&Path>, message: String) -> Failure {
    Failure {
        source: source(path),
        kind: "io".to_string(),
        message,
        line: None,
    }
}

/// The input at `path` opened for reading, with its size (`None` and 0 for standard input).
fn open_input(path: Option<&Path>) -> Result<(Option<std::fs::File>, u64), Failure> {
    let Some(p) = path else {
        return Ok((None, 0));
    };
    // One open; the size and kind come from the open file (no second look-up of the path).
    let cannot = |e: io::Error| io_failure(path, format!("cannot read {}: {e}", p.display()));
    let file = std::fs::File::open(p).map_err(cannot)?;
    let meta = file.metadata().map_err(cannot)?;
    if meta.is_dir() {
        return Err(io_failure(path, format!("{} is a directory", p.display())));
    }
    Ok((Some(file), meta.len()))
}

/// The bytes of the input at `path` that [`open_input`] opened (`len` bytes by its size),
/// size-checked against `limits` before reading.
fn read_opened(
    path: Option<&Path>,
    file: Option<std::fs::File>,
    len: u64,
    limits: &callscore::Limits,
) -> Bytes {
    let Some(mut file) = file else {
        let mut b = Vec::new();
        io::stdin()
            .read_to_end(&mut b)
            .map_err(|e| io_failure(path, format!("cannot read standard input: {e}")))?;
        return Ok(b);
    };
    if len > limits.max_bytes as u64 {
        let e = Error::TooLarge {
            size: usize::try_from(len).unwrap_or(usize::MAX),
            limit: limits.max_bytes,
        };
        return Err(Failure::from_error(source(path), &e));
    }
    let mut b = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    // (Through `Take`, whose `read_to_end` reads into the room made for the size already
    // known: `File`'s own looks the size and the position up again first, two more system
    // calls a file, a third of the per-file calls besides `open`'s and `close`'s.)
    Read::take(&mut file, u64::MAX)
        .read_to_end(&mut b)
        .map_err(|e| io_failure(path, format!("cannot read {}: {e}", source(path))))?;
    Ok(b)
}

/// Read (unless `read` already holds its bytes) and score one input.
fn score_input(
    ruleset: &Ruleset,
    input: Input<'_>,
    read: Option<Bytes>,
    opts: &ScoreOptions,
) -> Result<Report, Failure> {
    let path = input.path();
    let path = path.as_deref();
    read.unwrap_or_else(|| read_input(path, &opts.limits))
        .and_then(|b| score_one(ruleset, path, &b, opts))
}

/// Score one input's bytes.
fn score_one(
    ruleset: &Ruleset,
    path: Option<&Path>,
    bytes: &[u8],
    opts: &ScoreOptions,
) -> Result<Report, Failure> {
    let source = source(path);
    let mut o = opts.clone();
    o.source = Some(source.clone());
    if o.format == Format::Auto {
        if let Some(p) = path {
            if let Some(f) = p
                .extension()
                .and_then(|e| e.to_str())
                .and_then(Format::from_extension)
            {
                o.format = f;
            }
        }
    }
    ruleset
        .score_bytes(bytes, &o)
        .map_err(|e| Failure::from_error(source, &e))
}

/// The mark shown for a status.
pub(crate) fn mark(s: Status) -> &'static str {
    match s {
        Status::Pass => "PASS",
        Status::Fail => "FAIL",
        Status::NotApplicable => "n/a ",
    }
}
