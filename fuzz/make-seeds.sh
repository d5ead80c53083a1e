#!/usr/bin/env bash
# Build the fuzz seed corpora from the test fixtures and shipped examples.
set -euo pipefail
cd "$(dirname "$0")"
for t in text vtt srt json bytes pack; do mkdir -p "seeds/$t"; done
cp ../examples/*.txt ../tests/fixtures/formats/call.txt seeds/text/
cp ../tests/fixtures/formats/*.vtt seeds/vtt/
cp ../tests/fixtures/formats/*.srt seeds/srt/
cp ../tests/fixtures/formats/*.json seeds/json/
cp ../tests/fixtures/adversarial/* ../tests/fixtures/formats/* seeds/bytes/
cp ../examples/packs/*.toml seeds/pack/
