//! Shared support for the `tests/lsp_*.rs` language-server tests (and `benches/lsp_latency.rs`):
//! a small blocking JSON-RPC client that drives the real `noteplate lsp` binary over stdio.
//! Each test file says `mod lsp;` and uses `lsp::client`.

#![allow(dead_code)]

pub mod client;
