#!/usr/bin/env bash
# The HTML export in a real browser: every example template is exported with
# `noteplate export --to html --with-findings`, loaded by Debian's headless Chromium
# (chromium-headless-shell, installed by tests/clients/code-server/install.sh) and
#   - screenshotted: the PNG must exist, be WIDTH x HEIGHT, and not be one colour;
#   - dumped (--dump-dom): every section heading and every field label of the template must be in
#     the DOM Chromium built, as heading and label elements, and no <script> element may exist.
# What to expect is read from the .note file itself (tests/interop/html_check.py), not from the
# exporter. Usage: tests/interop/html.sh   (NOTEPLATE_BIN overrides target/debug/noteplate,
# CHROMIUM the browser). Exits non-zero on any failure.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"
bin="${NOTEPLATE_BIN:-target/debug/noteplate}"
case "$bin" in /*) ;; *) bin="$repo/$bin" ;; esac
chromium="${CHROMIUM:-/usr/lib/chromium/chromium-headless-shell}"
width=1024
height=1400

if [[ ! -x "$bin" ]]; then
  echo "html: server binary not found at $bin (cargo build, or set NOTEPLATE_BIN)" >&2
  exit 1
fi
if [[ ! -x "$chromium" ]]; then
  echo "html: $chromium not found; run tests/clients/code-server/install.sh (apt chromium-headless-shell) or set CHROMIUM" >&2
  exit 1
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
passed=0
failed=0
for note in examples/*.note; do
  name="$(basename "$note" .note)"
  page="$work/$name.html"
  # Exit 0 (clean) or 1 (findings) are both fine for export; 2 is not.
  if ! "$bin" export --to html --with-findings "$note" -o "$page" 2>"$work/$name.err"; then
    echo "FAIL $name: export failed: $(cat "$work/$name.err")"
    failed=$((failed + 1))
    continue
  fi
  flags=(--no-sandbox --disable-gpu --hide-scrollbars --no-first-run --disable-extensions
    --user-data-dir="$work/profile" --window-size="$width,$height")
  timeout 60 "$chromium" "${flags[@]}" --screenshot="$work/$name.png" "file://$page" \
    >"$work/$name.shot.log" 2>&1 || true
  timeout 60 "$chromium" "${flags[@]}" --dump-dom "file://$page" >"$work/$name.dom" 2>"$work/$name.dom.log" || true
  if python3 tests/interop/html_check.py "$note" "$work/$name.png" "$width" "$height" "$work/$name.dom"; then
    passed=$((passed + 1))
  else
    echo "     (chromium: $(tail -n 2 "$work/$name.shot.log" | tr '\n' ' '))"
    failed=$((failed + 1))
  fi
done
echo "html: $passed passed, $failed failed"
[[ $failed -eq 0 && $passed -gt 0 ]]
