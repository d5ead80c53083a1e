#![no_main]
//! Fuzz the srt reader and the scorer on its output.
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &str| common::check(data, callscore::Format::Srt));
