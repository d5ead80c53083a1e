"""The Python API: contract, parity with the CLI, threads, pickling, display, errors."""

import json
import os
import pathlib
import pickle
import subprocess
import sys
import threading
import time

import pytest

import callscore

GOOD = "Agent: Good morning, Acme, Jo speaking.\nCustomer: Hi, my order is late and nobody told me.\nAgent: I'm sorry about that. Thanks for waiting, bye!"
OVERPROMISE = "Receptionist: Good afternoon, Tom speaking.\nCaller: Is Sue in?\nReceptionist: She's out. I'll get her to phone you. Within the hour, definitely.\nCaller: It's Mark.\nReceptionist: Thanks Mark, bye."


def test_report_attributes():
    r = callscore.score(OVERPROMISE, source="mem.txt")
    assert (r.score, r.passed, r.pass_mark, r.source) == (76.2, False, 80.0, "mem.txt")
    assert r.agent == {"speakers": ["Receptionist"], "by": "name"}
    assert r.stats["turns"] == 5 and r.stats["agent_turns"] == 3
    assert [f.rule for f in r.failed()] == ["no-overpromising", "message-taking"]
    f = r.finding("message-taking")
    assert f.missing == ["number", "company"] and f.weight == 10 and not f.critical
    assert "missing: number, company" in f.message and f.tip
    ev = r.finding("no-overpromising").evidence
    assert ev[0].speaker == "Receptionist" and ev[0].line == 3 and "phone you" in ev[0].text
    assert repr(r) == "<Report source=\"mem.txt\" score=76.2 passed=False failed=['no-overpromising', 'message-taking']>"


def test_to_dict_equals_cli_json(cli, repo):
    path = repo / "examples" / "overpromise.txt"
    out = subprocess.run([str(cli), "score", "--format", "json", str(path)], capture_output=True, text=True, check=True)
    r = callscore.score_file(str(path))
    assert r.to_json() == out.stdout.rstrip("\n")  # byte for byte
    assert r.to_dict() == json.loads(out.stdout)
    assert callscore.Report.from_json(r.to_json()) == r


def test_agent_option_and_pass_mark():
    r = callscore.score(OVERPROMISE, agent="caller", pass_mark=50)
    assert r.agent == {"speakers": ["Caller"], "by": "option"}
    assert r.pass_mark == 50.0
    r = callscore.score(OVERPROMISE, agent=["Receptionist", "Nobody"])
    assert r.agent["speakers"] == ["Receptionist"]


def test_score_file_accepts_pathlike_and_str(repo):
    p = repo / "examples" / "model-call.txt"
    assert callscore.score_file(p) == callscore.score_file(str(p))
    assert callscore.score_file(p).source == str(p)


def test_score_many_matches_a_loop_in_order():
    texts = [GOOD, OVERPROMISE] * 50
    many = callscore.score_many(texts, threads=2)
    assert [r.to_json() for r in many] == [callscore.score(t).to_json() for t in texts]
    one = callscore.score_many(texts, threads=1, sources=[f"s{i}" for i in range(len(texts))])
    assert [r.source for r in one] == [f"s{i}" for i in range(len(texts))]


def test_score_many_reports_carry_their_transcript():
    # score and score_many keep the text and read it again when asked: the same turns and
    # roles for both, the roles the scoring saw (the report's agent), with the agent
    # option applied, and through a pickle too.
    ab = "A: hello\nB: hi, thanks for calling\nA: bye"  # B is inferred the agent; A as asked
    for agent, texts in ((None, [GOOD, OVERPROMISE, ab]), ("A", [ab])):
        many = callscore.score_many(texts, threads=1, agent=agent)
        for text, r in zip(texts, many):
            want = callscore.score(text, agent=agent).transcript
            got = r.transcript
            assert [(t.speaker, t.role, t.text) for t in got.turns] == [
                (t.speaker, t.role, t.text) for t in want.turns
            ]
            agents = {t.speaker for t in got.turns if t.role == "agent"}
            assert agents == set(r.agent["speakers"]) and agents
            assert [t.text for t in got.turns] == [
                t.text for t in callscore.parse(text, agent=agent).turns
            ]
            again = pickle.loads(pickle.dumps(r)).transcript
            assert [t.text for t in again.turns] == [t.text for t in want.turns]


def test_score_many_keeps_every_result_when_one_fails():
    texts = [GOOD] * 999
    texts.insert(500, "")
    out = callscore.score_many(texts, errors="return")
    assert len(out) == 1000
    assert isinstance(out[500], callscore.TranscriptError) and out[500].index == 500
    assert all(isinstance(r, callscore.Report) for i, r in enumerate(out) if i != 500)
    with pytest.raises(callscore.TranscriptError) as ei:
        callscore.score_many(texts)
    assert ei.value.index == 500 and len(ei.value.results) == 1000
    assert ei.value.kind == "no-speech"


def test_score_many_releases_the_gil():
    texts = [GOOD * 20] * 4000
    done = threading.Event()
    result = {}

    def work():
        result["r"] = callscore.score_many(texts, threads=1)
        done.set()

    t = threading.Thread(target=work)
    t0 = time.perf_counter()
    t.start()
    ticks = 0
    while not done.is_set():
        ticks += 1
        time.sleep(0)
    t.join()
    elapsed = time.perf_counter() - t0
    # While Rust scored, this thread kept running: it could only do so without the GIL held.
    assert len(result["r"]) == 4000
    assert ticks > 100, (ticks, elapsed)


def test_score_many_in_two_threads_at_once():
    texts = [GOOD, OVERPROMISE] * 200
    expected = [r.to_json() for r in callscore.score_many(texts, threads=1)]
    outs = [None, None]

    def run(i):
        outs[i] = [r.to_json() for r in callscore.score_many(texts, threads=1)]

    ts = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    [t.start() for t in ts]
    [t.join() for t in ts]
    assert outs[0] == expected and outs[1] == expected


def test_reports_scored_on_a_pool_are_freed_and_their_findings_outlive_them():
    # Reports scored on threads are handed back to the pool to be freed when Python drops
    # them: what a kept Finding points at must survive that, and the memory must come back
    # (were it never freed, 12 batches would keep 12 batches' worth).
    texts = [GOOD, OVERPROMISE] * 1500
    want = [callscore.score(t).finding("message-taking") for t in texts[:2]]
    many = callscore.score_many(texts, threads=2)
    kept = [r.finding("message-taking") for r in many[:2]]
    del many
    for _ in range(3):
        callscore.score_many(texts, threads=2)  # its queue of reports to free goes through
    assert [(f.status, f.message, f.missing) for f in kept] == [(f.status, f.message, f.missing) for f in want]
    if not pathlib.Path("/proc/self/statm").exists():
        pytest.skip("no /proc/self/statm: memory not checked")
    page = os.sysconf("SC_PAGE_SIZE")

    def resident() -> int:
        return int(pathlib.Path("/proc/self/statm").read_text().split()[1]) * page

    before = resident()
    held = callscore.score_many(texts, threads=2)
    batch = resident() - before  # (what one batch's reports take, at least)
    del held
    top = before
    for _ in range(12):
        callscore.score_many(texts, threads=2)
        top = max(top, resident())
    assert top - before < max(4 * batch, 8 << 20), (before, batch, top)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no os.fork here")
def test_score_many_in_a_forked_child():
    # A process forked after its parent used the thread pool (multiprocessing's default on
    # Linux) has none of the pool's threads: score_many there once waited for ever.
    texts = [GOOD, OVERPROMISE] * 300
    want = [r.to_json() for r in callscore.score_many(texts, threads=2)]
    rd, wr = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report through the pipe, and never return into pytest
        try:
            runs = [callscore.score_many(texts), callscore.score_many(texts, threads=2)]
            same = all([r.to_json() for r in run] == want for run in runs)
            del runs  # (its reports are freed here, not queued for a pool that is gone)
            os.write(wr, b"same" if same else b"different")
        finally:
            os._exit(0)
    os.close(wr)
    deadline = time.monotonic() + 60
    while not os.waitpid(pid, os.WNOHANG)[0]:
        if time.monotonic() > deadline:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            pytest.fail("score_many did not finish in a forked child")
        time.sleep(0.02)
    assert os.read(rd, 16) == b"same"
    os.close(rd)


def test_pickle_round_trip():
    r = callscore.score(OVERPROMISE)
    r2 = pickle.loads(pickle.dumps(r))
    assert r2 == r and r2.to_json() == r.to_json()
    assert [t.text for t in r2.transcript.turns] == [t.text for t in r.transcript.turns]
    many = pickle.loads(pickle.dumps(callscore.score_many([GOOD, OVERPROMISE])))
    assert [m.score for m in many] == [callscore.score(GOOD).score, 76.2]


def test_html_escapes_the_transcript():
    r = callscore.score("Agent: <script>alert(1)</script> hello\nCustomer: <b>hi</b> & bye")
    html = r._repr_html_()
    assert "<script>" not in html and "<b>hi</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&amp; bye" in html
    assert "<mark" in html  # evidence is highlighted
    assert "&#10003;" in html and "&#10007;" in html  # pass and fail marks
    # Speaker names and messages are escaped too.
    r = callscore.score("Agent <i>: hi\nAgent: <img src=x onerror=alert(1)>\nCustomer: ok")
    assert "<img" not in r._repr_html_()
    # A report read back from JSON still renders.
    assert "FAIL" in callscore.Report.from_json(callscore.score(OVERPROMISE).to_json())._repr_html_()


def test_parse_and_rules():
    t = callscore.parse("# agent: Jo\n[00:01] Jo: Hello.\nSam: Hi\ncontinued.\n[Jo hangs up]")
    assert [(x.index, x.speaker, x.role, x.text, x.line, x.start, x.end) for x in t.turns] == [
        (0, "Jo", "agent", "Hello.", 2, 1.0, None),
        (1, "Sam", "customer", "Hi continued.", 3, None, None),
    ]
    assert [(e.text, e.line, e.after_turns) for e in t.events] == [("Jo hangs up", 5, 2)]
    rules = callscore.rules()
    assert [r.id for r in rules][:3] == ["greeting", "identification", "thanks"]
    crit = {r.id for r in rules if r.critical}
    assert crit == {"no-hang-up", "polite-language"}
    assert sum(r.weight for r in rules) == 125  # 110 for the rubric + 15 for the timing rules
    assert all("**Tip.**" in r.doc and r.summary and r.tip for r in rules)


def test_bad_inputs_raise_documented_exceptions(tmp_path):
    with pytest.raises(callscore.TranscriptError) as ei:
        callscore.score("# agent: Bob\nSam: hi\nKim: hello")
    assert ei.value.kind == "agent-not-found" and ei.value.line == 1
    assert isinstance(ei.value, ValueError) and isinstance(ei.value, callscore.CallscoreError)
    with pytest.raises(TypeError):
        callscore.score(b"Agent: hi")
    with pytest.raises(TypeError):
        callscore.score(None)
    with pytest.raises(TypeError):
        callscore.score("Agent: hi", agent=3)
    with pytest.raises(TypeError):
        callscore.score_many("Agent: hi")
    with pytest.raises(TypeError):
        callscore.score_many(["ok", 3])
    with pytest.raises(ValueError):
        callscore.score_many(["Agent: hi"], sources=["a", "b"])
    with pytest.raises(ValueError):
        callscore.score_many(["Agent: hi"], threads=0)
    bad = tmp_path / "latin1.txt"
    bad.write_bytes(b"Agent: hello\nCustomer: caf\xe9\n")
    with pytest.raises(callscore.TranscriptError) as ei:
        callscore.score_file(bad)
    assert ei.value.kind == "invalid-utf8" and ei.value.line == 2 and "byte 26" in str(ei.value)
    r = callscore.score_file(bad, lossy=True)
    assert "not valid UTF-8" in r.warnings[0]
    with pytest.raises(callscore.TranscriptError):
        callscore.score_file(tmp_path / "missing.txt")
    with pytest.raises(callscore.TranscriptError):
        callscore.score_file(tmp_path)
    with pytest.raises(ValueError):
        callscore.Report.from_json("{}")


def test_frames():
    pd = pytest.importorskip("pandas")
    reports = callscore.score_many([GOOD, OVERPROMISE], sources=["good", "over"])
    df = callscore.to_pandas(reports)
    assert list(df["source"]) == ["good", "over"]
    assert list(df.columns[:3]) == ["source", "score", "passed"]
    assert df.loc[1, "no-overpromising"] == "fail" and df.loc[0, "greeting"] == "pass"
    ff = callscore.findings_frame(reports)
    assert len(ff) == 28
    row = ff[(ff.source == "over") & (ff.rule == "no-overpromising")].iloc[0]
    assert row.status == "fail" and "phone you" in row.evidence and row.evidence_lines == [3, 3]
    mixed = callscore.score_many([GOOD, ""], errors="return")
    assert callscore.to_pandas(mixed)["error"].notna().tolist() == [False, True]
    assert isinstance(df, pd.DataFrame)


def test_frames_without_pandas_say_what_to_install():
    code = (
        "import sys; sys.modules['pandas'] = None\n"
        "import callscore\n"
        "try:\n    callscore.to_pandas([])\nexcept ImportError as e:\n    print(e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "pip install 'callscore[pandas]'" in out.stdout


def test_docstrings_show_in_help():
    for fn in (callscore.score, callscore.score_file, callscore.score_many, callscore.parse, callscore.rules):
        assert fn.__doc__ and len(fn.__doc__) > 30, fn
    assert "TranscriptError" in callscore.score.__doc__
    assert callscore.Report.to_json.__doc__


def test_timed_formats_through_python(repo):
    d = repo / "tests" / "fixtures" / "formats"
    ref = callscore.score_file(d / "call.json")
    for name in ["call.vtt", "call.srt", "call.whisperx.json", "call.deepgram.json"]:
        r = callscore.score_file(d / name)
        assert [(f.rule, f.status) for f in r.findings] == [(f.rule, f.status) for f in ref.findings], name
    vtt_text = (d / "call.vtt").read_text(encoding="utf-8-sig")
    assert callscore.score(vtt_text).score == ref.score  # detected from content
    assert callscore.score(vtt_text, format="vtt").stats["longest_silence_s"] == 12.1
    assert ref.finding("dead-air").status == "fail"
    with pytest.raises(ValueError):
        callscore.score("x", format="docx")
    with pytest.raises(callscore.TranscriptError) as ei:
        callscore.score('{"foo": 1}', format="json")
    assert "accepted shapes" in str(ei.value)
