#!/usr/bin/env bash
# Compares cm-sentiment with VADER on the labelled sets (see README.md).
#
#   eval/sentiment/compare.sh                      # all splits
#   eval/sentiment/compare.sh --splits dev --errors dev
#
# Environment: VENV (default eval/sentiment/.venv-eval, git-ignored),
# PYTHON (default python3) to create it, CARGO_TARGET_DIR as usual for cargo.
set -euo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/venv.sh"

# Build once up front so build output does not interleave with the results.
(cd "$root" && cargo build --release --quiet -p cm-sentiment --bin analyze-sentiment)

exec "$venv/bin/python" "$here/compare.py" \
  --data-dir "$venv/eval-data" \
  --pip "$venv/bin/pip" \
  --cli "cargo run --release --quiet -p cm-sentiment --bin analyze-sentiment" \
  "$@"
