#!/usr/bin/env bash
# Keystroke -> diagnostics latency of noteplate and harper-ls side by side (issue 12): the same
# generated template (harper-ls reads it as Markdown), the same one-character edits, both servers
# measured alternately in one run, printed with the ratio.
#
#   benches/peer-latency.sh            installs harper-ls into target/peers/ on first use
#   HARPER_LS=/path/to/harper-ls benches/peer-latency.sh   uses an existing binary
#
# The install takes about 15 minutes on 2 cores. CFLAGS=-O0 only shortens the build of its C
# tree-sitter parsers; its Markdown path is Rust and is built optimised.
set -euo pipefail
cd "$(dirname "$0")/.."

peers="$PWD/target/peers"
harper="${HARPER_LS:-$peers/bin/harper-ls}"
if [[ ! -x "$harper" ]]; then
  echo "installing harper-ls into $peers (once)"
  CFLAGS=-O0 CARGO_TARGET_DIR="$peers/target" cargo install harper-ls --locked --root "$peers"
fi
"$harper" --version || true
NOTEPLATE_BENCH_PEER="$harper" NOTEPLATE_BENCH_ONLY=diagnostics cargo bench --bench lsp_latency
