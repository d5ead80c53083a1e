#!/usr/bin/env bash
# Run every fuzz target for SECONDS each (default 10): bash fuzz/run.sh [SECONDS]
# Needs cargo-fuzz and a nightly toolchain; without them it says so and exits 0.
# A crash leaves its input in fuzz/artifacts/<target>/: turn it into a regression test.
set -uo pipefail
cd "$(dirname "$0")"
secs=${1:-10}
if ! cargo fuzz --version >/dev/null 2>&1 || ! rustup run nightly rustc --version >/dev/null 2>&1; then
  echo "fuzz: SKIPPED (cargo-fuzz or the nightly toolchain is not installed; cargo install cargo-fuzz)"
  exit 0
fi
./make-seeds.sh
status=0
for t in text vtt srt json bytes pack; do
  mkdir -p "corpus/$t"
  echo "fuzz: $t for ${secs}s"
  if ! cargo +nightly fuzz run "$t" "corpus/$t" "seeds/$t" -- -max_total_time="$secs" -max_len=65536 -rss_limit_mb=2048 2>"/tmp/fuzz-$t.log"; then
    echo "fuzz: $t FOUND A CRASH (see /tmp/fuzz-$t.log and fuzz/artifacts/$t/)"
    tail -30 "/tmp/fuzz-$t.log"
    status=1
  else
    grep -E "^#[0-9]+.*(DONE|pulse)" "/tmp/fuzz-$t.log" | tail -1
  fi
done
exit $status
