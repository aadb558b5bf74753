#!/usr/bin/env bash
# Sourced by train.sh, evaluate.sh and compare.sh: makes sure the virtualenv
# at $VENV (default eval/sentiment/.venv-eval, git-ignored) exists and holds
# exactly the pinned requirements.txt. Idempotent: a matching venv is left as is.
# Sets: here, root, venv, target (the cargo target directory).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="${VENV:-$here/.venv-eval}"
target="${CARGO_TARGET_DIR:-$root/target}"

if [ ! -x "$venv/bin/python" ]; then
  "${PYTHON:-python3}" -m venv "$venv"
fi
stamp="$venv/.requirements.sha256"
want="$(sha256sum "$here/requirements.txt" | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt"
  echo "$want" >"$stamp"
fi
