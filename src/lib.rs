//! Test and benchmark host for the callscore workspace (see `tests/` and `benches/`).
