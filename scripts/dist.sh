#!/usr/bin/env bash
# Builds the release artefacts into dist/ and checks them:
#
#   dist/noteplate-x86_64-unknown-linux-gnu                      the binary; needs glibc 2.17 or later
#   dist/noteplate-<version>-x86_64-unknown-linux-gnu.tar.gz     binary, README, CHANGELOG, licenses
#   dist/noteplate-<version>-linux-x64.vsix                      the VS Code extension with that binary
#   dist/SHA256SUMS                                              sha256sum -c checks the three above
#
# The binary is linked against glibc 2.17 (CentOS 7, Ubuntu 14.04 and everything later) with
# `cargo zigbuild`, which uses Zig as the C toolchain and linker; no extra rustup target is needed.
# On first use this installs Zig from PyPI (the `ziglang` package, into a venv under
# target/dist-tools) and cargo-zigbuild from crates.io (into the same folder); nothing is
# installed system-wide. Needs Rust stable, Python 3 with pip and venv, Node.js and npm.
#
# Checks, each fatal: no GLIBC symbol version above 2.17 (objdump -T), the binary at most 12 MB,
# it runs (`--version` names the crate's version, `check examples/` exits 1 with findings), the
# extension's version equals the crate's, the VSIX holds the binary, and the sums verify.
#
#   scripts/dist.sh
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"

target=x86_64-unknown-linux-gnu
glibc=2.17
max_bytes=$((12 * 1024 * 1024))
tools="$repo/target/dist-tools"
out="$repo/dist"

step() { printf '\n== dist: %s\n' "$*"; }
fail() { printf 'dist: %s\n' "$*" >&2; exit 1; }

version="$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)"
[[ -n "$version" ]] || fail "no version in Cargo.toml"
extension_version="$(node -p "require('./editors/vscode/package.json').version")"
[[ "$extension_version" == "$version" ]] ||
  fail "editors/vscode/package.json has version $extension_version but Cargo.toml has $version; release them together"

step "tools (Zig from PyPI, cargo-zigbuild from crates.io) in $tools"
if [[ ! -x "$tools/venv/bin/python" ]]; then
  python3 -m venv "$tools/venv"
fi
if ! "$tools/venv/bin/python" -c 'import ziglang' 2>/dev/null; then
  "$tools/venv/bin/python" -m pip install --quiet --disable-pip-version-check ziglang==0.17.1
fi
if [[ ! -x "$tools/bin/cargo-zigbuild" ]]; then
  cargo install --quiet --locked --version 0.24.1 --root "$tools" cargo-zigbuild
fi
# cargo-zigbuild runs Zig as `python3 -m ziglang` when no `zig` is on PATH: the venv's python first.
export PATH="$tools/venv/bin:$tools/bin:$PATH"

step "build ($target, glibc $glibc, release profile: LTO, stripped)"
cargo zigbuild --locked --release --target "$target.$glibc"
built="target/$target/release/noteplate"

rm -rf "$out"
mkdir -p "$out"
binary="$out/noteplate-$target"
cp "$built" "$binary"

step "check the binary"
newest="$(objdump -T "$binary" | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -n 1)"
[[ -n "$newest" ]] || fail "objdump -T found no GLIBC symbol versions in $binary"
[[ "$(printf '%s\n%s\n' "$newest" "$glibc" | sort -V | tail -n 1)" == "$glibc" ]] ||
  fail "$binary needs GLIBC_$newest, newer than $glibc"
size="$(stat -c %s "$binary")"
((size <= max_bytes)) || fail "$binary is $size bytes, more than $max_bytes"
[[ "$("$binary" --version)" == "noteplate $version" ]] || fail "$binary --version does not say noteplate $version"
set +e
"$binary" check examples/ >/dev/null
status=$?
set -e
[[ $status -eq 1 ]] || fail "$binary check examples/ exited $status; the examples have findings, so 1 was expected"
echo "newest glibc symbol: $newest; size: $size bytes"

step "archive"
name="noteplate-$version-$target"
staging="$(mktemp -d)"
trap 'rm -rf "$staging"' EXIT
mkdir "$staging/$name"
cp "$binary" "$staging/$name/noteplate"
cp README.md CHANGELOG.md LICENSE-MIT LICENSE-APACHE "$staging/$name/"
tar -C "$staging" --owner=0 --group=0 --numeric-owner -czf "$out/$name.tar.gz" "$name"

step "VS Code extension with the server inside (linux-x64)"
if [[ ! -f editors/vscode/node_modules/.package-lock.json || editors/vscode/package-lock.json -nt editors/vscode/node_modules/.package-lock.json ]]; then
  (cd editors/vscode && npm ci --no-audit --no-fund --loglevel=error)
fi
# Packaged from a copy, so the editor tests (which package editors/vscode itself, without a
# server) can run at the same time.
extension="$staging/extension"
mkdir "$extension"
tar -C editors/vscode --exclude=./node_modules --exclude=./server --exclude=./dist --exclude='./*.vsix' -cf - . | tar -C "$extension" -xf -
ln -s "$repo/editors/vscode/node_modules" "$extension/node_modules"
cp LICENSE-MIT LICENSE-APACHE "$extension/"
mkdir "$extension/server"
cp "$binary" "$extension/server/noteplate"
(
  cd "$extension"
  ./node_modules/.bin/vsce package --no-dependencies --skip-license --allow-missing-repository --target linux-x64 \
    --out "$out/noteplate-$version-linux-x64.vsix" >/dev/null
)
vsix="$out/noteplate-$version-linux-x64.vsix"
listing="$(unzip -l "$vsix")"
for expected in extension/server/noteplate extension/dist/extension.js extension/package.json extension/LICENSE-MIT; do
  grep -q " $expected\$" <<<"$listing" || fail "$vsix lacks $expected"
done
unzip -p "$vsix" extension/server/noteplate | cmp -s - "$binary" || fail "$vsix holds a different server binary"

step "sums"
(cd "$out" && sha256sum "noteplate-$target" "$name.tar.gz" "noteplate-$version-linux-x64.vsix" >SHA256SUMS && sha256sum --quiet -c SHA256SUMS)
ls -l "$out"
