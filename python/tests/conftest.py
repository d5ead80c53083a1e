import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
EXAMPLES = SHARED / "examples"


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def shared_examples() -> Path:
    if not (EXAMPLES / "expected.json").exists():
        pytest.skip("../shared/examples not found: golden examples not checked")
    return EXAMPLES


@pytest.fixture(scope="session")
def cli() -> Path:
    exe = Path(os.environ.get("CALLSCORE_BIN", REPO / "target" / "release" / "callscore"))
    if not exe.exists():
        pytest.skip(f"CLI binary not built at {exe} (run cargo build --release -p callscore-cli)")
    return exe
