#!/usr/bin/env bash
# External checks of `noteplate export --to fhir` (docs/interop.md): every example template and
# every real Questionnaire of tests/interop/fhir (imported, then exported again) must
#   1. validate as a FHIR R4 Questionnaire with the `fhir.resources` Python package (6.1.0, whose
#      models are FHIR 4.0.1), in a venv at tests/interop/.venv, and
#   2. render in NLM's LHC-Forms (npm `lforms`, pinned in package-lock.json) in Debian's headless
#      Chromium, driven by puppeteer-core, with every section, question and text on the page.
# Then the documented pipeline (import, check, export, validate) runs step by step on a LOINC
# therapy panel, the physical therapy initial visit panel (76453-0).
# Two controls prove each check can fail: an invalid Questionnaire must not validate, and a
# question hidden behind enableWhen must be reported missing from the page.
#
# Installs what it needs on first use (pip, npm, apt for chromium-headless-shell); if a tool
# cannot be installed the script fails. NOTEPLATE_BIN names the binary (default: build it).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cd "$here"

if [[ -z "${NOTEPLATE_BIN:-}" ]]; then
  (cd "$repo" && cargo build --locked --quiet)
  NOTEPLATE_BIN="${CARGO_TARGET_DIR:-$repo/target}/debug/noteplate"
fi

# Python: fhir.resources with R4 models.
marker=".venv/.installed-$(sha256sum requirements.txt | cut -c1-16)"
if [[ ! -f "$marker" ]]; then
  echo "interop: python venv with $(grep -v '^#' requirements.txt | tr '\n' ' ')"
  rm -rf .venv
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check -r requirements.txt
  touch "$marker"
fi

# Node: lforms and puppeteer-core from package-lock.json.
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "interop: npm ci (lforms, puppeteer-core)"
  npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
fi

# Chromium: Debian's headless shell, as tests/clients/code-server/install.sh installs it.
if ! dpkg-query -W -f='${Status}' chromium-headless-shell 2>/dev/null | grep -q "install ok installed"; then
  echo "interop: apt-get install chromium-headless-shell"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium-headless-shell >/dev/null
fi
chromium="$(command -v chromium-headless-shell || echo /usr/lib/chromium/chromium-headless-shell)"
[[ -x "$chromium" ]] || { echo "interop: chromium-headless-shell not found after install"; exit 1; }

# The Questionnaires to check.
rm -rf out && mkdir -p out
for note in "$repo"/examples/*.note; do
  name="$(basename "$note" .note)"
  "$NOTEPLATE_BIN" export --to fhir "$note" -o "out/example-$name.json"
done
for json in fhir/*.json; do
  name="$(basename "$json" .json)"
  # Import runs `check` on the result: exit 1 (findings: a LOINC panel is no visit note) is
  # expected; 2 is a failure.
  status=0
  "$NOTEPLATE_BIN" import --from fhir "$json" -o "out/$name.note" 2>/dev/null || status=$?
  if ((status > 1)); then
    echo "interop: noteplate import --from fhir $json failed (exit $status)"
    exit 1
  fi
  "$NOTEPLATE_BIN" export --to fhir "out/$name.note" -o "out/roundtrip-$name.json"
done
exported=(out/*.json)
echo "interop: ${#exported[@]} exported Questionnaires"

echo "== FHIR R4 validation (fhir.resources)"
.venv/bin/python validate.py "${exported[@]}"
if .venv/bin/python validate.py control-invalid.json >/dev/null; then
  echo "interop: the control control-invalid.json validated: the validation checks nothing"
  exit 1
fi

echo "== The pipeline of docs/interop.md: import, check, export, validate"
# Step by step as documented, on a LOINC therapy panel: the physical therapy initial visit panel
# (76453-0) as LHC-Forms exports it. Each step's exit code is the documented one: import 1 (an
# initial visit with no place for a signature), check 0 once the documented signature section
# is added, export 0, validation 0.
panel=fhir/lhcforms-pt-initial-visit-76453-0.json
work=out/pipeline
mkdir -p "$work"
status=0
"$NOTEPLATE_BIN" import --from fhir "$panel" -o "$work/t.note" --report 2>"$work/import.txt" || status=$?
if ((status != 1)) || ! grep -q 'missing-signature' "$work/import.txt" || ! grep -q '"Place of service": its answer options have no value' "$work/import.txt"; then
  echo "interop: pipeline: import exited $status, expected 1 with the report and the missing-signature finding:"
  cat "$work/import.txt"
  exit 1
fi
cat >>"$work/t.note" <<'NOTE'

## Signature
Signed: {{clinician}}, {{credentials}}
NOTE
if ! "$NOTEPLATE_BIN" check "$work/t.note"; then
  echo "interop: pipeline: check is not clean after the documented addition"
  exit 1
fi
"$NOTEPLATE_BIN" export --to fhir "$work/t.note" -o "$work/out.json"
.venv/bin/python validate.py "$work/out.json"
# The checked panel is a form too: LHC-Forms renders it with every text.
pipeline_out="$work/out.json"

echo "== LHC-Forms rendering (headless Chromium)"
node render.mjs "$chromium" "${exported[@]}" "$pipeline_out"
if node render.mjs "$chromium" control-hidden.json >/dev/null; then
  echo "interop: the control control-hidden.json passed: the page check checks nothing"
  exit 1
fi
echo "interop: all checks passed"
