#!/usr/bin/env bash
# Compares cm-sentiment with VADER on the labelled sets (see README.md).
#
#   eval/sentiment/compare.sh                      # all splits
#   eval/sentiment/compare.sh --splits dev --errors dev
#
# Environment: VENV (default eval/sentiment/.venv-eval, git-ignored),
# PYTHON (default python3) to create it, CARGO_TARGET_DIR as usual for cargo.
set -euo pipefail

VADER_VERSION=3.3.2

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="${VENV:-$here/.venv-eval}"

if [ ! -x "$venv/bin/python" ]; then
  "${PYTHON:-python3}" -m venv "$venv"
fi
if ! "$venv/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('vaderSentiment') != '$VADER_VERSION')" 2>/dev/null; then
  "$venv/bin/pip" install --quiet --disable-pip-version-check "vaderSentiment==$VADER_VERSION"
fi

# Build once up front so build output does not interleave with the results.
(cd "$root" && cargo build --release --quiet -p cm-sentiment --bin analyze-sentiment)

exec "$venv/bin/python" "$here/compare.py" \
  --data-dir "$venv/eval-data" \
  --pip "$venv/bin/pip" \
  --cli "cargo run --release --quiet -p cm-sentiment --bin analyze-sentiment" \
  "$@"
