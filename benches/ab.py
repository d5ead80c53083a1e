#!/usr/bin/env python3
"""Is a change faster? Time two builds of `bench-phases` against each other, alternately.

    python3 benches/ab.py OLD_BENCH_PHASES NEW_BENCH_PHASES [--rounds N] [DIR]

On a machine whose speed drifts from minute to minute (this project's VM drifts by ±15%),
two measurements taken one after the other compare the moments as much as the code. This
runs the two binaries in turn, N rounds (default 10), then again in the other order, and
prints each one's best time per phase, in µs per transcript: a difference that does not
show in both orders is noise. DIR defaults to ../shared/corpora/star/transcripts.

Typical use:

    cargo build --release -p callscore-suite --bin bench-phases
    cp target/release/bench-phases /tmp/bp.old
    # ...make the change...
    cargo build --release -p callscore-suite --bin bench-phases
    python3 benches/ab.py /tmp/bp.old target/release/bench-phases
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STAR = ROOT.parent / "shared" / "corpora" / "star" / "transcripts"

def main(argv: list[str]) -> int:
    rounds = 10
    if "--rounds" in argv:
        i = argv.index("--rounds")
        rounds = int(argv[i + 1])
        del argv[i : i + 2]
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    old, new = argv[0], argv[1]
    corpus = Path(argv[2]) if len(argv) > 2 else STAR
    if not corpus.is_dir():
        print(f"no corpus at {corpus}: give a directory of transcripts", file=sys.stderr)
        return 2

    def run(binary: str) -> dict[str, float]:
        out = subprocess.run([binary, str(corpus)], capture_output=True, text=True, check=True)
        return json.loads(out.stdout)

    for order in ((old, new), (new, old)):
        best: dict[str, dict[str, float]] = {b: {} for b in order}
        for _ in range(rounds):
            for b in order:
                got = run(b)
                # Every phase the binary reports (µs keys; their names vary by version).
                for k in (k for k in got if k.endswith("_us")):
                    best[b][k] = min(best[b].get(k, float("inf")), got[k])
        print(f"order: {' then '.join('old' if b == old else 'new' for b in order)}, {rounds} rounds, best of each")
        for b in (old, new):
            name = "old" if b == old else "new"
            print(f"  {name}: " + ", ".join(f"{k} {v:.2f}" for k, v in best[b].items()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
