#!/usr/bin/env bash
# Times the FHIR pipeline of docs/interop.md on 1,000 Questionnaires (by default): for each,
# `noteplate import --from fhir` (which also checks the result), then one `noteplate check` of all
# imported templates, then `noteplate export --to fhir` of each. Prints hyperfine's median for
# the whole run and per Questionnaire. Results: docs/performance.md.
#
#   benches/interop-1k.sh [COUNT] [extra hyperfine options...]
#
# The Questionnaires are variations of the real ones in tests/interop/fhir (benches/
# gen_questionnaires.py: renamed, items reordered, repeated and wrapped in groups, answer lists
# cut), in a temporary folder that is removed afterwards. Needs hyperfine, jq and python3.
# NOTEPLATE_PROFILE picks the cargo profile (default release; `bench` builds faster).
set -euo pipefail
cd "$(dirname "$0")/.."

count=${1:-1000}
shift || true

# shellcheck source=benches/setup.sh
source benches/setup.sh
need_tools hyperfine jq python3

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

build_noteplate
python3 benches/gen_questionnaires.py tests/interop/fhir "$dir/in" "$count"
bytes=$(du -cb "$dir"/in/*.json | tail -1 | cut -f1)

cat > "$dir/pipeline.sh" <<SCRIPT
set -u
rm -rf "$dir/out" && mkdir -p "$dir/out"
for q in "$dir"/in/*.json; do
    name=\${q##*/}
    "$binary" import --from fhir "\$q" -o "$dir/out/\${name%.json}.note" 2>/dev/null
done
"$binary" check "$dir/out" --format json >/dev/null
for t in "$dir"/out/*.note; do
    "$binary" export --to fhir "\$t" -o "\${t%.note}.json"
done
SCRIPT

# Import exits 1 and check exits 1 on the panels' findings (no date of service): -i ignores it.
hyperfine --warmup 1 --runs 5 -i --export-json "$dir/hyperfine.json" "$@" \
    "bash $dir/pipeline.sh"
exported=$(find "$dir/out" -name '*.json' | wc -l)
median=$(jq '.results[0].median' "$dir/hyperfine.json")
echo "Questionnaires: $count ($bytes bytes); exported: $exported"
jq -r --argjson n "$count" '.results[0] | "median \(.median * 1000 | round) ms for import + check + export of \($n) (\(.median * 1000000 / $n | round) µs each)"' "$dir/hyperfine.json"
if [[ "$exported" -ne "$count" ]]; then
    echo "error: $exported of $count Questionnaires were exported" >&2
    exit 1
fi
: "$median"
