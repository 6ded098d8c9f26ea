#!/usr/bin/env bash
# Runs every real-client test of noteplate and prints a closing line `clients: N passed, M failed`.
#
#   tests/clients/run-all.sh           all five stages
#   tests/clients/run-all.sh --quick   without the code-server stage (the slow one: ~1 GB of tools on
#                                      first use, then 20-40 s a run)
#
# Stages: nvim (Neovim 0.11 headless), node (vscode-languageserver-protocol client under node --test),
# grammar (vscode-tmgrammar-test), extension (tsc --noEmit, unit tests + vsce package), code-server
# (real VS Code).
# The server binary is $NOTEPLATE_BIN, default target/debug/noteplate; build it first.
set -uo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"
export NOTEPLATE_BIN="${NOTEPLATE_BIN:-target/debug/noteplate}"
case "$NOTEPLATE_BIN" in /*) ;; *) NOTEPLATE_BIN="$repo/$NOTEPLATE_BIN" ;; esac

quick=""
for argument in "$@"; do
  case "$argument" in
    --quick) quick=1 ;;
    -h | --help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "run-all: unknown argument $argument" >&2; exit 2 ;;
  esac
done

# `npm ci` when node_modules is missing or older than the lock file.
npm_ready() {
  local dir="$1"
  if [[ ! -f "$dir/node_modules/.package-lock.json" || "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]]; then
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

stage_nvim() {
  tests/clients/nvim/run.sh
}

stage_node() {
  npm_ready tests/clients/node &&
    (cd tests/clients/node && timeout --kill-after=5 180 npm test --silent)
}

stage_grammar() {
  npm_ready editors/vscode && (cd editors/vscode && npm run --silent test:grammar)
}

stage_extension() {
  npm_ready editors/vscode || return 1
  (
    cd editors/vscode
    rm -f noteplate.vsix
    npm run --silent typecheck || exit 1
    npm run --silent test:unit || exit 1
    npm run --silent package >"${TMPDIR:-/tmp}/noteplate-vsce.log" 2>&1 || { cat "${TMPDIR:-/tmp}/noteplate-vsce.log"; exit 1; }
    [[ -f noteplate.vsix ]] || { echo "no noteplate.vsix"; exit 1; }
    listing="$(unzip -l noteplate.vsix)"
    for expected in extension/package.json extension/dist/extension.js extension/syntaxes/noteplate.tmLanguage.json \
      extension/snippets/noteplate.json extension/language-configuration.json extension/readme.md; do
      grep -qi " $expected\$" <<<"$listing" || { echo "noteplate.vsix lacks $expected"; exit 1; }
    done
    if grep -Eq ' extension/(src|node_modules|test|server)/' <<<"$listing"; then
      echo "noteplate.vsix ships sources, node_modules or a server binary:"
      grep -E ' extension/(src|node_modules|test|server)/' <<<"$listing"; exit 1
    fi
    echo "extension: tsc --noEmit clean; noteplate.vsix $(du -k noteplate.vsix | cut -f1) KiB, $(grep -c ' extension/' <<<"$listing") files"
  )
}

stage_code_server() {
  tests/clients/code-server/run.sh
}

stages=(nvim node grammar extension)
[[ -z "$quick" ]] && stages+=(code-server)

passed=0
failed=0
summary=()
for stage in "${stages[@]}"; do
  echo "=== $stage"
  start=$(date +%s.%N)
  if "stage_${stage//-/_}"; then
    status=passed
    passed=$((passed + 1))
  else
    status=FAILED
    failed=$((failed + 1))
  fi
  seconds=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
  summary+=("$(printf '%-12s %-7s %6ss' "$stage" "$status" "$seconds")")
  echo "=== $stage: $status in ${seconds}s"
done

echo
echo "stage        result    time"
printf '%s\n' "${summary[@]}"
echo "clients: $passed passed, $failed failed"
((failed == 0))
