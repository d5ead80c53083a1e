"""The notebook walk-through runs as a new user would run it, so it cannot rot."""

import runpy


def test_notebook_walkthrough_runs(repo, capsys):
    runpy.run_path(str(repo / "examples" / "notebook.py"), run_name="__main__")
    out = capsys.readouterr().out
    assert "overpromise.txt" in out and "no-overpromising" in out
    assert "tip:" in out
