#!/usr/bin/env bash
# Times `noteplate fmt --check` against `noteplate check` on the same corpus of generated
# templates (10,000 by default, see benches/generate/mod.rs), and prints both medians and their
# ratio. Goal (issue 13): `fmt --check` within 1.5x of `check`. Results: docs/performance.md.
#
#   benches/fmt-10k.sh [COUNT] [extra hyperfine options...]
#
# NOTEPLATE_PROFILE=bench builds with the bench profile instead of release (its binary is in
# target/release too). Needs hyperfine and jq. The corpus goes to a temporary folder that is
# removed afterwards; NOTEPLATE_CORPUS=DIR keeps it in DIR instead (and reuses it).
set -euo pipefail
cd "$(dirname "$0")/.."

count=${1:-10000}
shift || true
# The corpus, the binary and the tool checks are check-10k.sh's (benches/setup.sh).
# shellcheck source=benches/setup.sh
source benches/setup.sh
need_tools hyperfine jq
corpus_setup "$count"

# Both exit 1 on this corpus (findings; files not in the canonical layout): -i ignores the status.
hyperfine --warmup 3 --runs 20 -i --export-json "$dir/hyperfine-fmt.json" "$@" \
    -n check "$binary check $dir --format json > /dev/null" \
    -n "fmt --check" "$binary fmt --check $dir > /dev/null"

jq -r --argjson files "$files" '
    (.results[0].median) as $check | (.results[1].median) as $fmt |
    "\($files) files: check median \($check * 1000 | round) ms, fmt --check median " +
    "\($fmt * 1000 | round) ms, ratio \($fmt / $check * 100 | round / 100)"' "$dir/hyperfine-fmt.json"
