#!/usr/bin/env bash
# Times `noteplate check` (release build; NOTEPLATE_PROFILE=bench for the bench profile) on a
# corpus of generated templates, 10,000 by default (about 3.4 KB each, see
# benches/generate/mod.rs), and prints the median and files per second.
# Goal: under 1 s for 10,000 files on 2 cores. Results: docs/performance.md.
#
#   benches/check-10k.sh [COUNT] [extra hyperfine options...]
#
# Needs hyperfine (`apt-get install -y hyperfine`) and jq. The corpus goes to a temporary folder
# that is removed afterwards; NOTEPLATE_CORPUS=DIR keeps it in DIR instead (and reuses it). The
# set-up is shared with fmt-10k.sh: benches/setup.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

count=${1:-10000}
shift || true

# shellcheck source=benches/setup.sh
source benches/setup.sh
need_tools hyperfine jq
corpus_setup "$count"

# `check` exits 1 when it finds errors, which the corpus has on purpose: -i ignores the status.
hyperfine --warmup 3 --runs 20 -i --export-json "$dir/hyperfine.json" "$@" \
    "$binary check $dir --format json > /dev/null"

jq -r --argjson files "$files" --argjson bytes "$bytes" '.results[0] |
    "\($files) files, \($bytes / 1e6 * 100 | round / 100) MB: median \(.median * 1000 | round) ms, " +
    "mean \(.mean * 1000 | round) ms ± \(.stddev * 1000 | round) ms, " +
    "\($files / .median | round) files/s, \($bytes / .median / 1e6 | round) MB/s"' "$dir/hyperfine.json"
