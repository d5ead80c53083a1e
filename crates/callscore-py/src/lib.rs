//! Python bindings for callscore: conversion and delegation only.
//!
//! Every scoring decision is made by the `callscore` crate; this crate turns Python
//! arguments into [`callscore::ScoreOptions`], releases the GIL for the work, and wraps the
//! results in lazily-converted Python classes (a `Report` holds the Rust report and builds
//! `Finding` / `Evidence` objects only when they are asked for). Errors become typed
//! exceptions: `CallscoreError` (base) and `TranscriptError` (also a `ValueError`, with
//! `.kind` and `.line`). Rust panics cannot cross into Python: pyo3 turns any panic into a
//! `PanicException`, and the core crate is written and tested not to panic on input.

use std::sync::Arc;

use callscore::{Format, Ruleset, ScoreOptions};
use pyo3::exceptions::{PyException, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList, PyString, PyTuple, PyType};
use rayon::prelude::*;

/// mimalloc: scoring makes many small, short-lived allocations (turns, findings,
/// evidence), and it serves them faster than the system allocator (measured: about 12%
/// more transcripts per second on one core).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` (its place in `mi_option_e`, the same in mimalloc
/// 2 and 3; `libmimalloc-sys` does not name it).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// How long memory freed in the module stays mapped for reuse before mimalloc hands it
/// back to the OS (mimalloc's default: 1 s). A batch of reports is freed all at once, and
/// with the default the next batch a second later found that memory gone and faulted it in
/// again (2,227 page faults a STAR batch, none now): `score_many(threads=1)` of STAR,
/// batches 1.5 s apart, ran at 77,800–81,000 transcripts/s, and 82,900–89,300 with the
/// memory kept (three runs each). `MIMALLOC_PURGE_DELAY` in the environment wins.
const PURGE_DELAY_MS: std::ffi::c_long = 10_000;

/// Set [`PURGE_DELAY_MS`], once, when the module loads (before any other thread can use
/// this allocator: the option setter is not thread-safe).
fn keep_freed_memory() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: a plain setter of one of mimalloc's options, called during module
        // initialisation, under the GIL, before any scoring thread exists.
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, PURGE_DELAY_MS) };
    }
}

pyo3::create_exception!(
    callscore,
    CallscoreError,
    PyException,
    "Base class of every error callscore raises."
);
pyo3::create_exception!(
    callscore,
    PackError,
    CallscoreError,
    "A rule pack is invalid. Attributes: file, line, column (where known)."
);

static TRANSCRIPT_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// `TranscriptError(CallscoreError, ValueError)`, created once at import.
fn transcript_error_type(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    TRANSCRIPT_ERROR
        .get_or_try_init(py, || -> PyResult<Py<PyType>> {
            let base = py.get_type::<CallscoreError>();
            let value = py.get_type::<PyValueError>();
            let ns = PyDict::new(py);
            ns.set_item("__module__", "callscore")?;
            ns.set_item(
                "__doc__",
                "A transcript (or rule pack) could not be read or scored.\n\n\
                 Attributes: kind (a short stable name such as 'invalid-utf8' or 'no-speech'),\n\
                 line (1-based line, or None), source (where it came from, or None),\n\
                 index (position in a score_many batch, or None).",
            )?;
            let ty = py.get_type::<PyType>().call1((
                "TranscriptError",
                PyTuple::new(py, [base, value])?,
                ns,
            ))?;
            Ok(ty.cast_into::<PyType>()?.unbind())
        })
        .map(|t| t.bind(py))
}

/// Build (not raise) a `TranscriptError` instance for a core error.
fn transcript_error<'py>(
    py: Python<'py>,
    e: &callscore::Error,
    source: Option<&str>,
    index: Option<usize>,
) -> PyResult<Bound<'py, PyAny>> {
    let ty = transcript_error_type(py)?;
    let msg = match source {
        Some(s) => format!("{s}: {e}"),
        None => e.to_string(),
    };
    let exc = ty.call1((msg,))?;
    exc.setattr("kind", e.kind())?;
    exc.setattr("line", e.line())?;
    exc.setattr("source", source)?;
    exc.setattr("index", index)?;
    Ok(exc)
}

fn raise(py: Python<'_>, e: &callscore::Error, source: Option<&str>) -> PyErr {
    match transcript_error(py, e, source, None) {
        Ok(exc) => PyErr::from_value(exc),
        Err(err) => err,
    }
}

/// A text argument: the caller's string itself (its UTF-8, which the str object caches;
/// for ASCII text, its own storage), not a copy; a TypeError saying `wrong` otherwise.
fn text_arg(text: &Bound<'_, PyAny>, wrong: &'static str) -> PyResult<PyBackedStr> {
    let s = text
        .cast::<PyString>()
        .map_err(|_| PyTypeError::new_err(wrong))?;
    PyBackedStr::try_from(s.clone())
}

/// `agent=`: `None`, a name, or a list of names.
fn agents(agent: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<String>> {
    let Some(a) = agent else {
        return Ok(Vec::new());
    };
    if a.is_none() {
        return Ok(Vec::new());
    }
    if let Ok(s) = a.cast::<PyString>() {
        return Ok(vec![s.to_cow()?.into_owned()]);
    }
    let mut out = Vec::new();
    for item in a
        .try_iter()
        .map_err(|_| PyTypeError::new_err("agent must be a str or a list of str"))?
    {
        let item = item?;
        let s = item
            .cast::<PyString>()
            .map_err(|_| PyTypeError::new_err("agent must be a str or a list of str"))?;
        out.push(s.to_cow()?.into_owned());
    }
    Ok(out)
}

fn format_arg(format: Option<&str>) -> PyResult<Format> {
    match format {
        None => Ok(Format::Auto),
        Some(f) => Format::from_name(f).ok_or_else(|| {
            PyValueError::new_err(format!("unknown format {f:?}; use 'auto' or 'text'"))
        }),
    }
}

/// A compiled ruleset: the shared default, or a pack.
#[derive(Clone)]
enum Handle {
    Builtin(&'static Ruleset),
    Pack(Arc<Ruleset>),
}

impl std::ops::Deref for Handle {
    type Target = Ruleset;
    fn deref(&self) -> &Ruleset {
        match self {
            Handle::Builtin(r) => r,
            Handle::Pack(r) => r,
        }
    }
}

fn builtin() -> PyResult<Handle> {
    Ruleset::builtin()
        .map(Handle::Builtin)
        .map_err(|e| CallscoreError::new_err(e.to_string()))
}

/// `rules=`: None (the default rubric) or a Ruleset.
fn ruleset(rules: Option<&Bound<'_, PyAny>>) -> PyResult<Handle> {
    match rules {
        None => builtin(),
        Some(r) if r.is_none() => builtin(),
        Some(r) => r
            .cast::<PyRuleset>()
            .map(|r| r.get().inner.clone())
            .map_err(|_| PyTypeError::new_err("rules must be a callscore.Ruleset")),
    }
}

fn pack_error(py: Python<'_>, e: &callscore::Error) -> PyErr {
    let exc = PackError::new_err(e.to_string())
        .into_value(py)
        .into_bound(py);
    let _ = exc.setattr("line", e.line());
    let (file, column) = match e {
        callscore::Error::Pack { file, column, .. } => (file.clone(), Some(*column)),
        _ => (None, None),
    };
    let _ = exc.setattr("file", file);
    let _ = exc.setattr("column", column);
    PyErr::from_value(exc.into_any())
}

/// A set of rules: the default rubric or a rule pack (TOML) with house rules.
#[pyclass(frozen, module = "callscore", name = "Ruleset")]
struct PyRuleset {
    inner: Handle,
}

#[pymethods]
impl PyRuleset {
    /// The default rubric.
    #[staticmethod]
    fn default() -> PyResult<PyRuleset> {
        Ok(PyRuleset { inner: builtin()? })
    }
    /// Compile a rule pack from TOML text. Raises PackError (with .line, .column) when it is invalid.
    #[staticmethod]
    #[pyo3(signature = (text, *, name=None))]
    fn from_toml(py: Python<'_>, text: &str, name: Option<&str>) -> PyResult<PyRuleset> {
        let rs = py
            .detach(|| Ruleset::from_toml(text, name))
            .map_err(|e| pack_error(py, &e))?;
        Ok(PyRuleset {
            inner: Handle::Pack(Arc::new(rs)),
        })
    }
    /// Compile a rule pack from a TOML file (str or os.PathLike).
    #[staticmethod]
    fn from_file(py: Python<'_>, path: &Bound<'_, PyAny>) -> PyResult<PyRuleset> {
        let p: std::path::PathBuf = path
            .extract()
            .map_err(|_| PyTypeError::new_err("path must be a str or os.PathLike"))?;
        let text = std::fs::read_to_string(&p)
            .map_err(|e| CallscoreError::new_err(format!("cannot read {}: {e}", p.display())))?;
        let name = p.display().to_string();
        PyRuleset::from_toml(py, &text, Some(&name))
    }
    /// The ruleset's name.
    #[getter]
    fn name(&self) -> String {
        self.inner.name().to_string()
    }
    /// The pass mark.
    #[getter]
    fn pass_mark(&self) -> f64 {
        self.inner.pass_mark()
    }
    /// The rules, in report order.
    #[getter]
    fn rules(&self) -> Vec<RuleInfo> {
        rule_infos(&self.inner)
    }
    /// Run every rule's examples; returns {'run': n, 'passed': n, 'failures': [{'rule',
    /// 'expected', 'got', 'index', 'example', 'message'}]}. Empty failures means all held.
    fn check<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let rs = self.inner.clone();
        let c = py.detach(move || rs.check());
        let d = PyDict::new(py);
        d.set_item("run", c.run)?;
        d.set_item("passed", c.run - c.failures.len())?;
        let fails = PyList::empty(py);
        for f in &c.failures {
            let x = PyDict::new(py);
            x.set_item("rule", &*f.rule)?;
            x.set_item("expected", f.expected.as_str())?;
            x.set_item("got", f.got.map(|s| s.as_str()))?;
            x.set_item("index", f.index)?;
            x.set_item("example", &f.example)?;
            x.set_item("message", &f.message)?;
            fails.append(x)?;
        }
        d.set_item("failures", fails)?;
        Ok(d)
    }
    fn __repr__(&self) -> String {
        format!(
            "<Ruleset {:?} rules={} pass_mark={}>",
            self.inner.name(),
            self.inner.rules().count(),
            self.inner.pass_mark()
        )
    }
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let py = slf.py();
        let m = py.import("callscore._native")?;
        match slf.get().inner.source() {
            None => PyTuple::new(
                py,
                [
                    m.getattr("Ruleset")?.getattr("default")?,
                    PyTuple::empty(py).into_any(),
                ],
            ),
            Some((text, file)) => {
                let f = m.getattr("_ruleset_from_state")?;
                PyTuple::new(py, [f, (text, file).into_pyobject(py)?.into_any()])
            }
        }
    }
}

/// Rebuild a pickled Ruleset.
#[pyfunction]
fn _ruleset_from_state(py: Python<'_>, text: &str, file: Option<&str>) -> PyResult<PyRuleset> {
    PyRuleset::from_toml(py, text, file)
}

fn rule_infos(rs: &Ruleset) -> Vec<RuleInfo> {
    rs.rules()
        .map(|r| RuleInfo {
            id: r.id.clone(),
            weight: r.weight,
            critical: r.critical,
            summary: r.summary.clone(),
            tip: r.tip.clone(),
            doc: r.doc.clone(),
        })
        .collect()
}

fn options(
    agent: Option<&Bound<'_, PyAny>>,
    source: Option<String>,
    pass_mark: Option<f64>,
    format: Option<&str>,
) -> PyResult<ScoreOptions> {
    if let Some(p) = pass_mark {
        if !p.is_finite() {
            return Err(PyValueError::new_err("pass_mark must be a finite number"));
        }
    }
    Ok(ScoreOptions {
        agents: agents(agent)?,
        source,
        pass_mark,
        format: format_arg(format)?,
        ..Default::default()
    })
}

/// A scored transcript. Attributes mirror the JSON report; `to_json()` is byte for byte
/// the CLI's JSON.
#[pyclass(frozen, module = "callscore")]
struct Report {
    inner: Kept,
    transcript: Source,
}

/// The Rust report a Python `Report` holds (shared with the `Finding`s made from it), and
/// where its memory goes back when Python frees it.
///
/// A report `score_many` scored on a pool was allocated by the pool's threads. Freeing its
/// ~20 blocks on the thread that holds the GIL cost 0.4–0.55 µs a report (2.5 ms on one
/// thread, 3.2–3.4 ms on two for a STAR batch of 6,028), all of it serial: nothing else
/// runs while Python drops a batch, and on two cores it held `score_many` to 1.69–1.77x its
/// one-thread speed. Such a report goes back to the pool instead ([`free_on_pool`]): the
/// GIL's thread only queues it, and the pool (idle once the batch is scored) frees it. A
/// report built on the GIL's thread (`score`, `score_many(threads=1)`, JSON) is freed where
/// it is dropped, as usual: its blocks are that thread's own, and one thread was asked for.
struct Kept {
    report: std::mem::ManuallyDrop<Arc<callscore::Report>>,
    on_pool: bool,
}

impl Kept {
    /// A report freed where it is dropped.
    fn here(r: callscore::Report) -> Self {
        Kept::new(Arc::new(r), false)
    }
    /// A report, freed on the pool when `on_pool` (see [`Kept`]).
    fn new(report: Arc<callscore::Report>, on_pool: bool) -> Self {
        Kept {
            report: std::mem::ManuallyDrop::new(report),
            on_pool,
        }
    }
}

impl std::ops::Deref for Kept {
    type Target = Arc<callscore::Report>;
    fn deref(&self) -> &Self::Target {
        &self.report
    }
}

impl Drop for Kept {
    fn drop(&mut self) {
        // SAFETY: `report` is taken once, here, and `self` is not used again.
        let report = unsafe { std::mem::ManuallyDrop::take(&mut self.report) };
        if self.on_pool {
            free_on_pool(report);
        }
    }
}

/// True in a process made by `os.fork()` after this module was loaded. Rayon's global pool
/// is of no use there: its threads did not survive the fork, and work handed to it would
/// never run (a `score_many` on it waited for ever). Such a process scores on a pool of
/// its own for each call, and frees its reports where they are dropped.
static FORKED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// `os.register_at_fork(after_in_child=...)`: see [`FORKED`].
#[pyfunction]
fn _after_fork_in_child() {
    FORKED.store(true, std::sync::atomic::Ordering::Relaxed);
}

/// Reports waiting for the pool to free them (see [`Kept`]).
static TO_FREE: std::sync::Mutex<Vec<Arc<callscore::Report>>> = std::sync::Mutex::new(Vec::new());

/// Queue `report` to be freed on rayon's global pool, and when the queue was empty, ask
/// the pool to empty it. One task frees whatever has queued by the time it runs, so a
/// batch dropped at once costs a few tasks, not one a report. A report still shared (a
/// `Finding` of it lives on) is only a reference dropped here.
fn free_on_pool(report: Arc<callscore::Report>) {
    if Arc::strong_count(&report) > 1 || FORKED.load(std::sync::atomic::Ordering::Relaxed) {
        return;
    }
    let mut queue = TO_FREE.lock().unwrap_or_else(|p| p.into_inner());
    let first = queue.is_empty();
    queue.push(report);
    drop(queue);
    if first {
        rayon::spawn(|| {
            let batch = std::mem::take(&mut *TO_FREE.lock().unwrap_or_else(|p| p.into_inner()));
            drop(batch);
        });
    }
}

/// Where a report's transcript comes from.
enum Source {
    /// None (a report read back from JSON without one).
    None,
    /// Parsed already.
    Parsed(Arc<callscore::Transcript>),
    /// Parsed again on first access (what `score_many` keeps: the caller's text, not a
    /// copy, and how it was read; most batch reports are never asked for it).
    Text {
        text: PyBackedStr,
        opts: ScoreOptions,
        rules: Handle,
        parsed: std::sync::OnceLock<Option<Arc<callscore::Transcript>>>,
    },
}

impl Source {
    fn get(&self) -> Option<Arc<callscore::Transcript>> {
        match self {
            Source::None => None,
            Source::Parsed(t) => Some(t.clone()),
            Source::Text {
                text,
                opts,
                rules,
                parsed,
            } => parsed
                .get_or_init(|| rules.parse(text, opts).ok().map(Arc::new))
                .clone(),
        }
    }
}

/// One rule's verdict, with its evidence and coaching tip.
#[pyclass(frozen, module = "callscore")]
struct Finding {
    report: Arc<callscore::Report>,
    index: usize,
}

/// The words behind a verdict: `turn_text[start:end] == text`.
#[pyclass(frozen, module = "callscore", get_all)]
struct Evidence {
    /// Index of the speech turn, or None for an event.
    turn: Option<usize>,
    /// 1-based source line.
    line: usize,
    /// The speaker, or None for an event.
    speaker: Option<String>,
    /// Start offset in characters into the turn's text.
    start: usize,
    /// End offset (exclusive) in characters.
    end: usize,
    /// The quoted words.
    text: String,
    /// The turn's start time in seconds, or None.
    start_s: Option<f64>,
    /// The turn's end time in seconds, or None.
    end_s: Option<f64>,
}

#[pymethods]
impl Evidence {
    fn __repr__(&self) -> String {
        format!(
            "<Evidence line={} speaker={:?} text={:?}>",
            self.line,
            self.speaker.as_deref().unwrap_or("[event]"),
            self.text
        )
    }
}

fn evidence(e: &callscore::Evidence) -> Evidence {
    Evidence {
        turn: e.turn,
        line: e.line,
        speaker: e.speaker.clone(),
        start: e.start,
        end: e.end,
        text: e.text.clone(),
        start_s: e.start_s,
        end_s: e.end_s,
    }
}

impl Finding {
    fn f(&self) -> &callscore::Finding {
        &self.report.findings[self.index]
    }
}

#[pymethods]
impl Finding {
    /// The rule id.
    #[getter]
    fn rule(&self) -> &str {
        &self.f().rule
    }
    /// 'pass', 'fail' or 'n/a'.
    #[getter]
    fn status(&self) -> &'static str {
        self.f().status.as_str()
    }
    /// The rule's weight.
    #[getter]
    fn weight(&self) -> u32 {
        self.f().weight
    }
    /// Whether failing the rule fails the call.
    #[getter]
    fn critical(&self) -> bool {
        self.f().critical
    }
    /// What was found, in plain words.
    #[getter]
    fn message(&self) -> &str {
        &self.f().message
    }
    /// The coaching tip.
    #[getter]
    fn tip(&self) -> &str {
        &self.f().tip
    }
    /// What a message lacks (message-taking), else an empty list.
    #[getter]
    fn missing(&self) -> Vec<String> {
        self.f().missing.clone()
    }
    /// The words behind the verdict.
    #[getter]
    fn evidence(&self) -> Vec<Evidence> {
        self.f().evidence.iter().map(evidence).collect()
    }
    fn __repr__(&self) -> String {
        format!("<Finding {} {}>", self.f().rule, self.f().status.as_str())
    }
}

/// A serialisable Rust value as the equivalent Python object (via its JSON).
fn to_py<'py, T: serde::Serialize>(py: Python<'py>, value: &T) -> PyResult<Bound<'py, PyAny>> {
    json_loads(py, &serde_json::to_string(value).unwrap_or_default())
}

fn json_loads<'py>(py: Python<'py>, s: &str) -> PyResult<Bound<'py, PyAny>> {
    py.import("json")?.call_method1("loads", (s,))
}

#[pymethods]
impl Report {
    /// 100 x passed weight / applicable weight, one decimal.
    #[getter]
    fn score(&self) -> f64 {
        self.inner.score
    }
    /// score >= pass_mark and no critical rule failed.
    #[getter]
    fn passed(&self) -> bool {
        self.inner.passed
    }
    /// The pass mark used.
    #[getter]
    fn pass_mark(&self) -> f64 {
        self.inner.pass_mark
    }
    /// Where the transcript came from, or None.
    #[getter]
    fn source(&self) -> Option<&str> {
        self.inner.source.as_deref()
    }
    /// Who was taken as the agent: {'speakers': [...], 'by': 'header'|'option'|'name'|'inference'}.
    #[getter]
    fn agent<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.inner.agent)
    }
    /// Counts about the call, as a dict.
    #[getter]
    fn stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.inner.stats)
    }
    /// What the reader repaired or skipped.
    #[getter]
    fn warnings(&self) -> Vec<String> {
        self.inner.warnings.clone()
    }
    /// One Finding per rule, in ruleset order.
    #[getter]
    fn findings(&self) -> Vec<Finding> {
        (0..self.inner.findings.len())
            .map(|index| Finding {
                report: self.inner.clone(),
                index,
            })
            .collect()
    }
    /// The parsed transcript, when the report was made from text here (None after from_json).
    #[getter]
    fn transcript(&self) -> Option<Transcript> {
        self.transcript.get().map(|t| Transcript { inner: t })
    }
    /// The failing findings.
    fn failed(&self) -> Vec<Finding> {
        self.findings()
            .into_iter()
            .filter(|f| f.f().status == callscore::Status::Fail)
            .collect()
    }
    /// The finding of one rule.
    fn finding(&self, rule: &str) -> PyResult<Finding> {
        let index = self
            .inner
            .findings
            .iter()
            .position(|f| &*f.rule == rule)
            .ok_or_else(|| PyValueError::new_err(format!("no rule {rule:?} in this report")))?;
        Ok(Finding {
            report: self.inner.clone(),
            index,
        })
    }
    /// The JSON report, exactly as `callscore score --format json` prints it.
    fn to_json(&self) -> String {
        self.inner.to_json()
    }
    /// The JSON report as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_loads(py, &self.inner.to_json())
    }
    /// Read a report back from its JSON.
    #[classmethod]
    fn from_json(_cls: &Bound<'_, PyType>, s: &str) -> PyResult<Report> {
        let r = callscore::Report::from_json(s)
            .map_err(|e| PyValueError::new_err(format!("not a callscore report: {e}")))?;
        Ok(Report {
            inner: Kept::here(r),
            transcript: Source::None,
        })
    }
    fn __repr__(&self) -> String {
        let failed: Vec<String> = self
            .inner
            .failed()
            .map(|f| format!("'{}'", f.rule))
            .collect();
        let src = self
            .inner
            .source
            .as_ref()
            .map(|s| format!(" source={s:?}"))
            .unwrap_or_default();
        format!(
            "<Report{src} score={:.1} passed={} failed=[{}]>",
            self.inner.score,
            if self.inner.passed { "True" } else { "False" },
            failed.join(", ")
        )
    }
    /// A notebook scorecard (rendered by callscore._html).
    fn _repr_html_<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        slf.py()
            .import("callscore._html")?
            .call_method1("render", (slf,))
    }
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<Report>()
            .is_ok_and(|o| **o.get().inner == **self.inner)
    }
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let py = slf.py();
        let me = slf.get();
        let t = me
            .transcript
            .get()
            .map(|t| serde_json::to_string(&*t).unwrap_or_default());
        let ctor = py
            .import("callscore._native")?
            .getattr("_report_from_state")?;
        PyTuple::new(
            py,
            [
                ctor,
                PyTuple::new(
                    py,
                    [
                        me.inner.to_json().into_pyobject(py)?.into_any(),
                        t.into_pyobject(py)?.into_any(),
                    ],
                )?
                .into_any(),
            ],
        )
    }
}

/// Rebuild a pickled Report.
#[pyfunction]
fn _report_from_state(report: &str, transcript: Option<&str>) -> PyResult<Report> {
    let inner =
        callscore::Report::from_json(report).map_err(|e| PyValueError::new_err(e.to_string()))?;
    let transcript = match transcript {
        Some(t) => Source::Parsed(Arc::new(
            serde_json::from_str(t).map_err(|e| PyValueError::new_err(e.to_string()))?,
        )),
        None => Source::None,
    };
    Ok(Report {
        inner: Kept::here(inner),
        transcript,
    })
}

/// A parsed call: `.turns`, `.events`, `.agent`.
#[pyclass(frozen, module = "callscore")]
struct Transcript {
    inner: Arc<callscore::Transcript>,
}

/// One speaker's uninterrupted stretch of speech.
#[pyclass(frozen, module = "callscore", get_all)]
struct Turn {
    /// 0-based position among the speech turns.
    index: usize,
    /// The speaker's name as written.
    speaker: String,
    /// 'agent' or 'customer'.
    role: &'static str,
    /// The turn's original text.
    text: String,
    /// 1-based source line where the turn starts.
    line: usize,
    /// Start time in seconds, or None.
    start: Option<f64>,
    /// End time in seconds, or None.
    end: Option<f64>,
}

#[pymethods]
impl Turn {
    fn __repr__(&self) -> String {
        format!(
            "<Turn {} {}({}): {:?}>",
            self.index, self.speaker, self.role, self.text
        )
    }
}

/// A non-speech line such as `[Agent hangs up]`.
#[pyclass(frozen, module = "callscore", get_all)]
struct Event {
    /// 0-based position among the events.
    index: usize,
    /// The event's text without brackets.
    text: String,
    /// 1-based source line.
    line: usize,
    /// Number of speech turns before it.
    after_turns: usize,
    /// Time in seconds, or None.
    time: Option<f64>,
}

#[pymethods]
impl Event {
    fn __repr__(&self) -> String {
        format!("<Event line={} {:?}>", self.line, self.text)
    }
}

#[pymethods]
impl Transcript {
    /// The speech turns.
    #[getter]
    fn turns(&self) -> Vec<Turn> {
        self.inner
            .turns
            .iter()
            .map(|t| Turn {
                index: t.index,
                speaker: t.speaker.clone(),
                role: t.role.as_str(),
                text: t.text.clone(),
                line: t.line,
                start: t.start,
                end: t.end,
            })
            .collect()
    }
    /// The events.
    #[getter]
    fn events(&self) -> Vec<Event> {
        self.inner
            .events
            .iter()
            .map(|e| Event {
                index: e.index,
                text: e.text.clone(),
                line: e.line,
                after_turns: e.after_turns,
                time: e.time,
            })
            .collect()
    }
    /// Who was taken as the agent.
    #[getter]
    fn agent<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.inner.agent)
    }
    /// What the reader repaired or skipped.
    #[getter]
    fn warnings(&self) -> Vec<String> {
        self.inner.warnings.clone()
    }
    fn __repr__(&self) -> String {
        format!(
            "<Transcript turns={} events={}>",
            self.inner.turns.len(),
            self.inner.events.len()
        )
    }
}

/// Facts about one rule.
#[pyclass(frozen, module = "callscore", get_all)]
struct RuleInfo {
    /// The rule id.
    id: String,
    /// Its weight.
    weight: u32,
    /// Whether failing it fails the call.
    critical: bool,
    /// One-line description.
    summary: String,
    /// The coaching tip.
    tip: String,
    /// Full documentation.
    doc: String,
}

#[pymethods]
impl RuleInfo {
    fn __repr__(&self) -> String {
        format!(
            "<RuleInfo {} weight={} critical={}>",
            self.id,
            self.weight,
            if self.critical { "True" } else { "False" }
        )
    }
}

fn report(r: callscore::Report, t: callscore::Transcript) -> Report {
    Report {
        inner: Kept::here(r),
        transcript: Source::Parsed(Arc::new(t)),
    }
}

/// A Python report of `text`, whose transcript is read again from `text` (the caller's
/// string, not a copy) the first time `.transcript` is asked for: what `score` and
/// `score_many` keep. `inner`: the report, as [`Kept`] holds it.
fn report_of_text(inner: Kept, text: PyBackedStr, opts: ScoreOptions, rules: Handle) -> Report {
    Report {
        inner,
        transcript: Source::Text {
            text,
            opts,
            rules,
            parsed: std::sync::OnceLock::new(),
        },
    }
}

/// Score one transcript's text with the default rubric.
///
/// agent: a speaker name or a list of names to take as the agent (else the header, names
/// and inference decide). source: recorded in the report. pass_mark: instead of 80.
/// format: 'auto' (default: detected from the content), 'text', 'vtt', 'srt' or 'json'.
/// Raises TranscriptError when the text cannot be scored (no speech, agent not found...).
#[pyfunction]
#[pyo3(signature = (text, *, agent=None, source=None, pass_mark=None, format=None, rules=None))]
fn score(
    py: Python<'_>,
    text: &Bound<'_, PyAny>,
    agent: Option<&Bound<'_, PyAny>>,
    source: Option<String>,
    pass_mark: Option<f64>,
    format: Option<&str>,
    rules: Option<&Bound<'_, PyAny>>,
) -> PyResult<Report> {
    let text = text_arg(text, "text must be a str (use score_file for a path)")?;
    let opts = options(agent, source, pass_mark, format)?;
    let rs = ruleset(rules)?;
    // As in `score_many`: the report keeps the caller's text, and `report.transcript`
    // reads it again on first access (most reports are never asked for it; scoring
    // without keeping the transcript lets the library reuse its memory).
    match py.detach(|| rs.score(&text, &opts)) {
        Ok(r) => Ok(report_of_text(Kept::here(r), text, opts, rs)),
        Err(e) => Err(raise(py, &e, opts.source.as_deref())),
    }
}

/// Score a transcript file (a str or os.PathLike path). The report's source is the path;
/// the format comes from the extension (.vtt, .srt, .json; a .txt file's content decides,
/// plain text being the fallback) unless format= is given.
/// Raises TranscriptError for unreadable files and bad content (invalid UTF-8 names the
/// byte offset and line; lossy=True replaces bad bytes and says so in report.warnings).
#[pyfunction]
#[pyo3(signature = (path, *, agent=None, source=None, pass_mark=None, format=None, lossy=false, rules=None))]
#[allow(clippy::too_many_arguments)]
fn score_file(
    py: Python<'_>,
    path: &Bound<'_, PyAny>,
    agent: Option<&Bound<'_, PyAny>>,
    source: Option<String>,
    pass_mark: Option<f64>,
    format: Option<&str>,
    lossy: bool,
    rules: Option<&Bound<'_, PyAny>>,
) -> PyResult<Report> {
    let p: std::path::PathBuf = path
        .extract()
        .map_err(|_| PyTypeError::new_err("path must be a str or os.PathLike"))?;
    let src = source.unwrap_or_else(|| p.display().to_string());
    let mut opts = options(agent, Some(src.clone()), pass_mark, format)?;
    opts.lossy = lossy;
    if format.is_none() {
        if let Some(f) = p
            .extension()
            .and_then(|e| e.to_str())
            .and_then(Format::from_extension)
        {
            opts.format = f;
        }
    }
    let rs = ruleset(rules)?;
    let bytes = py.detach(|| std::fs::read(&p)).map_err(|e| {
        let err = callscore::Error::Format {
            format: "file",
            message: format!("cannot read {}: {e}", p.display()),
            line: None,
        };
        raise(py, &err, None)
    })?;
    let out = py.detach(
        || -> callscore::Result<(callscore::Report, callscore::Transcript)> {
            let (text, warnings) = callscore::decode(&bytes, opts.lossy)?;
            let (mut r, t) = rs.score_with_transcript(&text, &opts)?;
            r.warnings.splice(0..0, warnings);
            Ok((r, t))
        },
    );
    out.map(|(r, t)| report(r, t))
        .map_err(|e| raise(py, &e, Some(&src)))
}

/// Score many transcripts in parallel, with the GIL released; results in input order.
///
/// threads: worker threads (default: all cores). sources: one per text, recorded in each
/// report. errors: 'raise' (default) scores everything, then raises a TranscriptError for
/// the first failure, whose .results holds the full list (failures in place as
/// TranscriptError instances) and .index its position, so no result is lost; 'return'
/// returns that list directly. progress=True shows a tqdm bar when tqdm is installed.
/// Ctrl-C stops a long batch promptly (KeyboardInterrupt).
#[pyfunction]
#[pyo3(signature = (texts, *, agent=None, sources=None, threads=None, pass_mark=None, errors="raise", progress=false, rules=None))]
#[allow(clippy::too_many_arguments)]
fn score_many<'py>(
    py: Python<'py>,
    texts: &Bound<'py, PyAny>,
    agent: Option<&Bound<'py, PyAny>>,
    sources: Option<&Bound<'py, PyAny>>,
    threads: Option<usize>,
    pass_mark: Option<f64>,
    errors: &str,
    progress: bool,
    rules: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyList>> {
    if errors != "raise" && errors != "return" {
        return Err(PyValueError::new_err("errors must be 'raise' or 'return'"));
    }
    if texts.is_instance_of::<PyString>() {
        return Err(PyTypeError::new_err(
            "texts must be a list of str, not a str",
        ));
    }
    // The callers' strings themselves (their UTF-8), not copies.
    let mut owned: Vec<PyBackedStr> = Vec::new();
    let mut strs: Vec<Bound<'py, PyString>> = Vec::new();
    for t in texts
        .try_iter()
        .map_err(|_| PyTypeError::new_err("texts must be an iterable of str"))?
    {
        let t = t?;
        let s = t
            .cast_into::<PyString>()
            .map_err(|_| PyTypeError::new_err("every text must be a str"))?;
        owned.push(PyBackedStr::try_from(s.clone())?);
        strs.push(s);
    }
    let srcs: Vec<Option<String>> = match sources {
        None => vec![None; owned.len()],
        Some(s) if s.is_none() => vec![None; owned.len()],
        Some(s) => {
            let v: Vec<Option<String>> = s
                .extract()
                .map_err(|_| PyTypeError::new_err("sources must be a list of str"))?;
            if v.len() != owned.len() {
                return Err(PyValueError::new_err(format!(
                    "{} sources for {} texts",
                    v.len(),
                    owned.len()
                )));
            }
            v
        }
    };
    // Shared with the pool's thread when there is one.
    let srcs = Arc::new(srcs);
    let base = options(agent, None, pass_mark, None)?;
    let rs = ruleset(rules)?;
    // Where the scoring runs: on this thread (one thread: no pool to hand the work to and
    // back), in a pool of the size asked for, or in rayon's global pool (all cores).
    enum Runner {
        Here,
        Pool(rayon::ThreadPool),
        Global,
    }
    // (After a fork, never the global pool: see [`FORKED`].)
    let forked = FORKED.load(std::sync::atomic::Ordering::Relaxed);
    let cores = || std::thread::available_parallelism().map_or(1, |n| n.get());
    let runner = match threads {
        Some(0) => return Err(PyValueError::new_err("threads must be at least 1")),
        Some(1) => Runner::Here,
        // As many threads as the global pool has (all cores, by default): that pool, whose
        // threads (and their allocator caches) live on from one call to the next.
        Some(n) if !forked && n == rayon::current_num_threads() => Runner::Global,
        None if !forked => Runner::Global,
        None if cores() == 1 => Runner::Here,
        n => Runner::Pool(
            rayon::ThreadPoolBuilder::new()
                .num_threads(n.unwrap_or_else(cores))
                .build()
                .map_err(|e| CallscoreError::new_err(e.to_string()))?,
        ),
    };
    let bar = if progress {
        match py.import("tqdm.auto") {
            Ok(m) => {
                let kw = PyDict::new(py);
                kw.set_item("total", owned.len())?;
                Some(m.getattr("tqdm")?.call((), Some(&kw))?)
            }
            Err(_) => None,
        }
    } else {
        None
    };
    // (Where the reports are scored decides where they are freed: see [`Kept`].)
    let pooled = !matches!(runner, Runner::Here);
    let out = PyList::empty(py);
    let mut first_err: Option<Bound<'py, PyAny>> = None;
    // Reports become Python objects on this thread, a chunk at a time.
    let mut take = |results: Scored, offset: usize| -> PyResult<()> {
        for (k, r) in results.into_iter().enumerate() {
            match r {
                Ok((r, opts)) => {
                    let text = PyBackedStr::try_from(strs[offset + k].clone())?;
                    out.append(report_of_text(Kept::new(r, pooled), text, opts, rs.clone()))?
                }
                Err(e) => {
                    let exc =
                        transcript_error(py, &e, srcs[offset + k].as_deref(), Some(offset + k))?;
                    if first_err.is_none() {
                        first_err = Some(exc.clone());
                    }
                    out.append(exc)?;
                }
            }
        }
        if let Some(b) = &bar {
            b.call_method1("update", (strs.len().min(offset + CHUNK) - offset,))?;
        }
        // Let Ctrl-C through between chunks.
        py.check_signals()
    };
    let texts = Arc::new(owned);
    match runner {
        Runner::Here => {
            for (c, chunk) in texts.chunks(CHUNK).enumerate() {
                let results = py.detach(|| score_chunk(&rs, &base, &srcs, chunk, c * CHUNK, false));
                take(results, c * CHUNK)?;
            }
        }
        Runner::Pool(_) | Runner::Global => {
            // The pool scores chunk after chunk (at most two ahead) while this thread turns
            // finished ones into Python objects: the two overlap.
            let (tx, rx) = std::sync::mpsc::sync_channel::<Scored>(2);
            let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
            let producer = {
                let (texts, srcs, rs, base, stop) = (
                    texts.clone(),
                    srcs.clone(),
                    rs.clone(),
                    base.clone(),
                    stop.clone(),
                );
                move || {
                    for (c, chunk) in texts.chunks(CHUNK).enumerate() {
                        if stop.load(std::sync::atomic::Ordering::Relaxed) {
                            break;
                        }
                        let results = score_chunk(&rs, &base, &srcs, chunk, c * CHUNK, true);
                        if tx.send(results).is_err() {
                            break;
                        }
                    }
                    // The texts go first (this thread may not hold the GIL; the caller's
                    // reference outlives this one), then the channel closes.
                    drop(texts);
                    drop(tx);
                }
            };
            match &runner {
                Runner::Pool(p) => p.spawn(producer),
                _ => rayon::spawn(producer),
            }
            // (A lock only so that a borrow of the receiver may cross to `detach`.)
            let rx = std::sync::Mutex::new(rx);
            let recv = || py.detach(|| rx.lock().ok().and_then(|r| r.recv().ok()));
            let mut offset = 0;
            let mut consumed = || -> PyResult<()> {
                while let Some(results) = recv() {
                    let n = results.len();
                    take(results, offset)?;
                    offset += n;
                }
                Ok(())
            };
            let r = consumed();
            // Whatever happened, the producer is done before this returns.
            stop.store(true, std::sync::atomic::Ordering::Relaxed);
            while recv().is_some() {}
            r?;
        }
    }
    if let Some(b) = &bar {
        b.call_method0("close")?;
    }
    if errors == "raise" {
        if let Some(exc) = first_err {
            exc.setattr("results", &out)?;
            return Err(PyErr::from_value(exc));
        }
    }
    Ok(out)
}

/// What `score_many` scores per text: a report and the options it was read with.
/// (Each report in its `Arc` already: allocated and written where it is scored, and only a
/// pointer for the GIL's thread to move.)
type Scored = Vec<callscore::Result<(Arc<callscore::Report>, ScoreOptions)>>;

/// `score_many`'s chunk size: the unit of progress, of Ctrl-C checks and of hand-over.
const CHUNK: usize = 512;

/// Score one chunk of `score_many` (texts `offset..` of the batch), in parallel on the
/// current rayon pool or on this thread.
fn score_chunk(
    rs: &Ruleset,
    base: &ScoreOptions,
    srcs: &[Option<String>],
    chunk: &[PyBackedStr],
    offset: usize,
    parallel: bool,
) -> Scored {
    let one = |(k, text): (usize, &PyBackedStr)| {
        let mut o = base.clone();
        o.source = srcs[offset + k].clone();
        rs.score(text, &o).map(|r| (Arc::new(r), o))
    };
    if parallel {
        chunk.par_iter().enumerate().map(one).collect()
    } else {
        chunk.iter().enumerate().map(one).collect()
    }
}

/// Parse a transcript and assign roles, without scoring it.
#[pyfunction]
#[pyo3(signature = (text, *, agent=None, format=None, rules=None))]
fn parse(
    py: Python<'_>,
    text: &Bound<'_, PyAny>,
    agent: Option<&Bound<'_, PyAny>>,
    format: Option<&str>,
    rules: Option<&Bound<'_, PyAny>>,
) -> PyResult<Transcript> {
    let text = text_arg(text, "text must be a str")?;
    let opts = options(agent, None, None, format)?;
    let rs = ruleset(rules)?;
    py.detach(|| rs.parse(&text, &opts))
        .map(|t| Transcript { inner: Arc::new(t) })
        .map_err(|e| raise(py, &e, None))
}

/// The rules of the default rubric (or of `rules=`), in report order.
#[pyfunction]
#[pyo3(signature = (rules=None))]
fn rules(rules: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<RuleInfo>> {
    let rs = ruleset(rules)?;
    Ok(rule_infos(&rs))
}

/// The native part of the callscore package.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    keep_freed_memory();
    m.add("CallscoreError", py.get_type::<CallscoreError>())?;
    m.add("TranscriptError", transcript_error_type(py)?)?;
    m.add("PackError", py.get_type::<PackError>())?;
    m.add_class::<PyRuleset>()?;
    m.add_function(wrap_pyfunction!(_ruleset_from_state, m)?)?;
    m.add_class::<Report>()?;
    m.add_class::<Finding>()?;
    m.add_class::<Evidence>()?;
    m.add_class::<Transcript>()?;
    m.add_class::<Turn>()?;
    m.add_class::<Event>()?;
    m.add_class::<RuleInfo>()?;
    m.add_function(wrap_pyfunction!(score, m)?)?;
    m.add_function(wrap_pyfunction!(score_file, m)?)?;
    m.add_function(wrap_pyfunction!(score_many, m)?)?;
    m.add_function(wrap_pyfunction!(parse, m)?)?;
    m.add_function(wrap_pyfunction!(rules, m)?)?;
    m.add_function(wrap_pyfunction!(_report_from_state, m)?)?;
    m.add_function(wrap_pyfunction!(_after_fork_in_child, m)?)?;
    // (`os.fork`, and `multiprocessing`'s default start method on Linux, run this hook;
    // where there is no fork, as on Windows, there is no `os.register_at_fork` either.)
    let os = py.import("os")?;
    if os.hasattr("register_at_fork")? {
        let kw = PyDict::new(py);
        kw.set_item("after_in_child", m.getattr("_after_fork_in_child")?)?;
        os.getattr("register_at_fork")?.call((), Some(&kw))?;
    }
    m.add("SCHEMA_VERSION", callscore::SCHEMA_VERSION)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
