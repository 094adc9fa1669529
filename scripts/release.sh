#!/usr/bin/env bash
# `make release`: the production build. The server is target/release/roster;
# the site (target/site) holds the WASM bundle optimised by wasm-opt, with a
# Brotli and a gzip twin of each file that the server sends to browsers
# accepting them.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

# "release": wasm-opt comes with the npm package binaryen (end2end/).
scripts/tools.sh build release
PATH="$(pwd)/end2end/node_modules/.bin:$PATH" cargo leptos build --release --precompress --split

# cargo-leptos gzips at a middle level (the bundle: 462 KB); -9 takes it
# under 400 KB for clients that accept gzip but not Brotli.
for twin in target/site/pkg/*.gz; do
  gzip -9 -n -c "${twin%.gz}" > "$twin"
done
echo "==> release build done: run target/release/roster with LEPTOS_SITE_ROOT=target/site LEPTOS_OUTPUT_NAME=roster (see README.md)"
