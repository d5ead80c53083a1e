"""Hostile input through every Python API: only documented exceptions, never a crash;
Ctrl-C stops a long batch promptly."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

import callscore

HOSTILE = [
    "",
    "\x00\x00\x00",
    "Agent: " + "x" * 2_000_000,
    "\ufeff\u202e\u200b" * 100,
    "[" * 10_000,
    "{" * 10_000,
    "WEBVTT\n\n00:00:01.000 --> 00:00:00.000\nA: hi\n",
    '{"turns": [{"speaker": "A", "text": "x", "start": 1e999, "end": 1}]}',
    "1\n00:00:01,000 --> 99:99:99,999\nA: hi\n",
    "Agent: <script>alert(1)</script>\n" * 3,
    "# agent: " + "A" * 100_000,
    "A:" + " ok" * 100_000,
    "\ud7ff\ue000\U0010ffff Agent: x",
    "Agent: th\u200bank you\rCustomer: bye\r",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_gives_a_report_or_a_documented_error(text):
    for call in (
        lambda: callscore.score(text),
        lambda: callscore.parse(text),
        lambda: callscore.score(text, format="json"),
        lambda: callscore.score(text, format="vtt"),
        lambda: callscore.score(text, format="srt"),
        lambda: callscore.score(text, agent=["nobody", text[:50]]),
    ):
        try:
            r = call()
        except callscore.TranscriptError as e:
            assert e.kind and str(e)
            continue
        if isinstance(r, callscore.Report):
            assert r.to_json() and r._repr_html_()


def test_hostile_packs_raise_pack_errors():
    for src in ["", "[[rule]]", "[pack]\nextends = 3", '[[rule]]\nid="a"\nkind="forbid"\nphrases=["re:' + "(" * 500 + '"]', "\x00", "[rules.greeting]\nphrases.add = [1]"]:
        try:
            callscore.Ruleset.from_toml(src)
        except callscore.PackError:
            pass


def test_one_bad_transcript_in_a_thousand_keeps_the_rest():
    texts = ["Agent: Hello, Jo speaking.\nCustomer: Hi.\nAgent: Thanks, bye."] * 1000
    texts[777] = "\x00"
    out = callscore.score_many(texts, errors="return")
    assert sum(isinstance(r, callscore.Report) for r in out) == 999
    assert out[777].index == 777


@pytest.mark.parametrize("threads", [1, 2])
def test_ctrl_c_stops_a_long_batch_promptly(threads):
    # threads=1 scores on the calling thread; 2 in a pool that works ahead of it.
    code = textwrap.dedent(
        """
        import sys, time, callscore
        texts = ["Agent: Hello, Jo speaking, thanks.\\nCustomer: hi, bye"] * 400_000
        print("ready", flush=True)
        t0 = time.perf_counter()
        try:
            callscore.score_many(texts, threads=THREADS)
            print("finished", flush=True)
        except KeyboardInterrupt:
            print("interrupted %.2f" % (time.perf_counter() - t0), flush=True)
        """
    ).replace("THREADS", str(threads))
    p = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "ready"
    time.sleep(1.0)
    t0 = time.perf_counter()
    p.send_signal(signal.SIGINT)
    out, _ = p.communicate(timeout=60)
    assert out.startswith("interrupted"), out
    assert time.perf_counter() - t0 < 10


def test_every_adversarial_fixture_gives_a_report_or_a_located_error(repo):
    d = repo / "tests" / "fixtures" / "adversarial"
    errors = {"empty.txt": "no-speech", "headers-only.txt": "no-speech", "only-events.txt": "no-speech", "nul-bytes.txt": "binary", "invalid-utf8.txt": "invalid-utf8"}
    files = sorted(d.iterdir())
    assert len(files) >= 12
    for f in files:
        if f.name in errors:
            with pytest.raises(callscore.TranscriptError) as ei:
                callscore.score_file(f)
            assert ei.value.kind == errors[f.name], f.name
            if f.name in ("invalid-utf8.txt", "nul-bytes.txt"):
                assert ei.value.line is not None and f.name in str(ei.value)
        else:
            assert callscore.score_file(f).score == 100.0, f.name
    # A batch of all of them (as text where decodable) keeps every valid result.
    texts = [f.read_bytes().decode("utf-8", errors="replace") for f in files]
    out = callscore.score_many(texts, errors="return")
    assert len(out) == len(files)
    assert sum(isinstance(r, callscore.Report) for r in out) >= len(files) - len(errors)
