"""Rule packs from Python: load, check, score with rules=, pickle, errors."""

import pickle

import pytest

import callscore

PACK = """
[pack]
name = "Acme inbound"
pass_mark = 85
org = ["Acme"]

[rules.no-blame]
enabled = false

[[rule]]
id = "acme-opening"
kind = "require"
within = { first_turns = 1 }
phrases = ["thank you for calling {org}"]
message = "Open with the Acme line."
examples.pass = ["Agent: Thank you for calling Acme, this is Sam."]
examples.fail = ["Agent: Hello, how can I help?"]
"""


def test_pack_scoring_and_check(repo):
    rs = callscore.Ruleset.from_toml(PACK, name="acme.toml")
    assert rs.name == "Acme inbound" and rs.pass_mark == 85.0
    ids = [r.id for r in rs.rules]
    assert "no-blame" not in ids and ids[-1] == "acme-opening"
    c = rs.check()
    assert c["run"] == 2 and c["failures"] == []
    r = callscore.score("Agent: Hello, Jo speaking.\nCustomer: Hi.", rules=rs)
    f = r.finding("acme-opening")
    assert f.status == "fail" and f.message == "Open with the Acme line."
    assert r.pass_mark == 85.0
    many = callscore.score_many(["Agent: Thank you for calling Acme.\nCustomer: Hi."] * 3, rules=rs)
    assert all(m.finding("acme-opening").status == "pass" for m in many)
    assert [x.id for x in callscore.rules(rules=rs)] == ids
    assert pickle.loads(pickle.dumps(rs)).rules[-1].id == "acme-opening"
    assert callscore.Ruleset.default().rules[0].id == "greeting"
    assert pickle.loads(pickle.dumps(callscore.Ruleset.default())).name == "default"
    for name in ["inbound-support.toml", "outbound-sales.toml"]:
        shipped = callscore.Ruleset.from_file(repo / "examples" / "packs" / name)
        assert shipped.check()["failures"] == [], name


def test_failing_examples_are_listed():
    rs = callscore.Ruleset.from_toml('[[rule]]\nid = "x"\nkind = "require"\nphrases = ["hello"]\nexamples.pass = ["Agent: Hi."]\n')
    c = rs.check()
    assert c["failures"][0]["rule"] == "x" and c["failures"][0]["got"] == "fail"


def test_pack_errors_point_at_the_line():
    with pytest.raises(callscore.PackError) as ei:
        callscore.Ruleset.from_toml('[pack]\nname = "x"\ncolour = "red"\n', name="p.toml")
    assert ei.value.line == 3 and ei.value.file == "p.toml" and "p.toml:3:" in str(ei.value)
    with pytest.raises(callscore.PackError) as ei:
        callscore.Ruleset.from_toml('[[rule]]\nid = "a"\nkind = "forbid"\nphrases = ["re:(bad"]\n')
    assert ei.value.line == 4
    assert isinstance(ei.value, callscore.CallscoreError)
    with pytest.raises(TypeError):
        callscore.score("Agent: hi", rules="pack.toml")
