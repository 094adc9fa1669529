#!/usr/bin/env bash
# Installs what building (and, with "test", testing) needs, skipping every
# step whose tool already answers.
#   scripts/tools.sh build        wasm target, cargo-leptos, wasm-bindgen CLI
#   scripts/tools.sh build test   + cargo-nextest, Chromium, the end2end npm packages
#   scripts/tools.sh build release + the end2end npm packages (wasm-opt)
set -euo pipefail

want_test=false
want_npm=false
for arg in "$@"; do
  [ "$arg" = test ] && want_test=true && want_npm=true
  [ "$arg" = release ] && want_npm=true
done

export PATH="$HOME/.cargo/bin:$PATH"

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  echo "==> rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

if ! cargo leptos --version 2>/dev/null | grep -q '0\.3\.10'; then
  echo "==> installing cargo-leptos 0.3.10 (takes about 12 minutes on 2 cores, once)"
  cargo install cargo-leptos@0.3.10 --locked
fi

# cargo-leptos uses the wasm-bindgen CLI on PATH; it must match Cargo.lock.
wbg=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if ! wasm-bindgen --version 2>/dev/null | grep -q "$wbg"; then
  echo "==> installing wasm-bindgen-cli $wbg (about 4 minutes, once)"
  # Not --locked: one of its locked dependencies is no longer on crates.io.
  cargo install -f wasm-bindgen-cli --version "$wbg"
fi

# The Rust tests run under cargo-nextest (machines of this kind come with
# it; cargo picks the newest release that builds on this toolchain).
if $want_test && ! cargo nextest --version >/dev/null 2>&1; then
  echo "==> installing cargo-nextest (a few minutes, once)"
  cargo install cargo-nextest --locked
fi

if $want_test && [ ! -x /usr/bin/chromium ]; then
  echo "==> installing Chromium (Debian package)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq chromium >/dev/null
fi

if $want_npm; then
  stamp=end2end/node_modules/.package-lock.sha
  sum=$(sha256sum end2end/package-lock.json | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$sum" ]; then
    echo "==> npm ci (end2end)"
    (cd end2end && npm ci --no-audit --no-fund --loglevel=error)
    echo "$sum" > "$stamp"
  fi
fi
