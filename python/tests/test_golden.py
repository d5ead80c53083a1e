"""The 23 golden examples through the Python API, with the same expectations as the Rust tests."""

import json

import callscore


def test_golden_examples(shared_examples):
    expected = json.loads((shared_examples / "expected.json").read_text(encoding="utf-8"))
    assert len(expected) == 23
    problems = []
    for name, exp in expected.items():
        r = callscore.score_file(shared_examples / name)
        got = {f.rule: f.status for f in r.findings}
        for rule, status in exp["rules"].items():
            if got.get(rule) != status:
                problems.append(f"{name}: {rule} is {got.get(rule)}, expected {status}")
        for rule, status in got.items():
            if rule not in exp["rules"] and status != "n/a":
                problems.append(f"{name}: extra rule {rule} is {status}")
        if r.score != exp["score"]:
            problems.append(f"{name}: score {r.score} expected {exp['score']}")
        if r.passed != exp["passed"]:
            problems.append(f"{name}: passed {r.passed} expected {exp['passed']}")
        if r.agent["speakers"] != exp["agent"]:
            problems.append(f"{name}: agent {r.agent['speakers']} expected {exp['agent']}")
        if "missing" in exp and r.finding("message-taking").missing != exp["missing"]:
            problems.append(f"{name}: missing {r.finding('message-taking').missing}")
        for f in r.failed():
            if not f.evidence:
                problems.append(f"{name}: {f.rule} fails without evidence")
    assert not problems, "\n".join(problems)


def test_evidence_slices_the_python_string(shared_examples):
    # The non-ASCII example: curly quotes and accented names.
    r = callscore.score_file(shared_examples / "11-unicode-and-curly-quotes.txt")
    turns = r.transcript.turns
    checked = 0
    for f in r.findings:
        for e in f.evidence:
            if e.turn is not None:
                assert turns[e.turn].text[e.start : e.end] == e.text
                checked += 1
    assert checked >= 4
    assert r.finding("identification").evidence[0].text == "you’ve reached"
