#!/usr/bin/env bash
# `make dist`: the release people install without a Rust toolchain,
# target/dist/roster-<version>-linux-<arch>.tar.gz, holding
#   roster                the server (and operator commands), stripped
#   hash.txt              the bundle's content hashes (its file names)
#   site/                 the browser's files with their .br and .gz twins
#   roster.env.example    the configuration to copy and edit
#   roster.service        a hardened systemd unit
#   README.md             what Roster is; "Install on a server" walks through it
# `make dist-test` unpacks it elsewhere and runs the sign-up flow through it.
set -euo pipefail
cd "$(dirname "$0")/.."

# (ROSTER_DIST_REUSE_BUILD=1 packs the release build already in target/,
# for a quick retry of the packing or of `make dist-test`.)
[ "${ROSTER_DIST_REUSE_BUILD:-}" = 1 ] || scripts/release.sh
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
name="roster-$version-linux-$(uname -m)"
out="target/dist/$name"
rm -rf "$out" "target/dist/$name.tar.gz"
mkdir -p "$out"
# Debug symbols are most of the binary's size; backtraces keep function names.
strip --strip-debug -o "$out/roster" target/release/roster
cp target/release/hash.txt "$out/"
cp -r target/release/site "$out/site"
cp scripts/dist/roster.env.example scripts/dist/roster.service README.md "$out/"
tar -C target/dist --owner=0 --group=0 -czf "target/dist/$name.tar.gz" "$name"
echo "==> target/dist/$name.tar.gz ($(du -h "target/dist/$name.tar.gz" | cut -f1))"
