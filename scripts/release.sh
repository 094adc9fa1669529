#!/usr/bin/env bash
# `make release`: the production build. The server is target/release/roster;
# the site beside it (target/release/site, where the binary looks for it;
# `make test` and `make run` keep their development build in target/site)
# holds the WASM bundle optimised by wasm-opt, with a
# Brotli and a gzip twin of each file that the server sends to browsers
# accepting them.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

# "release": wasm-opt comes with the npm package binaryen (end2end/).
scripts/tools.sh build release
# Content-hashed file names (roster.<hash>.wasm, ...; the names are in
# target/release/hash.txt, which the server reads beside its binary), so
# browsers may keep the bundle for a year: a new build has new names.
rm -f target/release/hash.txt
LEPTOS_HASH_FILES=true LEPTOS_SITE_ROOT=target/release/site PATH="$(pwd)/end2end/node_modules/.bin:$PATH" \
  cargo leptos build --release --precompress --split
test -s target/release/hash.txt

# cargo-leptos gzips at a middle level (the bundle: 462 KB); -9 takes it
# under 400 KB for clients that accept gzip but not Brotli.
for twin in target/release/site/pkg/*.gz; do
  gzip -9 -n -c "${twin%.gz}" > "$twin"
done
echo "==> release build done: target/release/roster serve (it finds site/ and hash.txt beside it; make dist packs the three)"
