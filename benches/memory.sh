#!/usr/bin/env bash
# Peak resident memory of the CLI scoring a directory of N generated transcripts, for two
# sizes, to show it is bounded and independent of the number of files (results stream out
# as jsonl, 256 transcripts at a time).
#   bash benches/memory.sh [N=100000]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}
cargo build -q --release -p callscore-cli -p callscore-suite --bins
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for n in $((N / 10)) "$N"; do
  rm -rf "$tmp/c"
  ./target/release/gen-corpus "$tmp/c" "$n" 7 10 60
  bytes=$(du -sb "$tmp/c" | cut -f1)
  /usr/bin/time -f "%M %e" -o "$tmp/t" ./target/release/callscore score -f jsonl "$tmp/c" > "$tmp/out.jsonl"
  read -r kb secs < "$tmp/t"
  lines=$(wc -l < "$tmp/out.jsonl")
  echo "{\"transcripts\": $n, \"bytes\": $bytes, \"reports\": $lines, \"peak_rss_mb\": $((kb / 1024)), \"seconds\": $secs}"
done
