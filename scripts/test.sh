#!/usr/bin/env bash
# The whole test suite, as CI runs it. Installs what the editor tests need on first use
# (Neovim in a Python venv, npm packages, code-server and headless Chromium).
#
#   scripts/test.sh           everything
#   scripts/test.sh --quick   Rust checks and tests plus the fast editor tests (no code-server)
set -euo pipefail
cd "$(dirname "$0")/.."

quick=""
[ "${1:-}" = "--quick" ] && quick="--quick"

step() { printf '\n== %s\n' "$*"; }

step "format and lints"
cargo fmt --check
cargo clippy --all-targets --locked -- -D warnings

step "Rust tests (unit, snapshots, CLI, language server end to end)"
cargo test --locked

step "benchmarks compile"
cargo build --benches --locked

step "editor clients (Neovim, vscode-jsonrpc client, TextMate grammar, VS Code extension, code-server unless --quick)"
cargo build --locked
NOTEPLATE_BIN="$PWD/target/debug/noteplate" tests/clients/run-all.sh $quick
