"""The .pyi stub matches the runtime API (mypy's stubtest)."""

import importlib.util
import subprocess
import sys

import pytest


def test_stubs_match_runtime():
    if importlib.util.find_spec("mypy") is None:
        pytest.skip("mypy not installed")
    out = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "callscore._native"],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stdout + out.stderr
