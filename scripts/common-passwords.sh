#!/usr/bin/env bash
# Regenerates src/features/auth/server/common_passwords.txt: the most common
# passwords, most common first, from the npm package @zxcvbn-ts/language-common
# (MIT licence; maintained by the zxcvbn-ts project). Run it to move to a
# newer release; the file is committed, so building needs no network.
set -euo pipefail
version=${1:-4.1.3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack "@zxcvbn-ts/language-common@$version" --silent >/dev/null && tar xzf ./*.tgz)
python3 - "$work/package/src/passwords.json" "$version" > src/features/auth/server/common_passwords.txt <<'PY'
import json, sys
words = json.load(open(sys.argv[1]))
print(f"# The {len(words)} most common passwords, most common first, from @zxcvbn-ts/language-common {sys.argv[2]} (MIT licence).")
seen = set()
for word in words:
    w = word.strip().lower()
    if w and w not in seen and not w.startswith('#'):
        seen.add(w)
        print(w)
PY
wc -l src/features/auth/server/common_passwords.txt
