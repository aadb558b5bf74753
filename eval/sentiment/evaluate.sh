#!/usr/bin/env bash
# cm-sentiment beside VADER on every held-out public item (see README.md).
# Exits non-zero when cm-sentiment is below VADER on any dataset.
#
#   eval/sentiment/evaluate.sh
#   eval/sentiment/evaluate.sh --datasets vader_tweets,crowdflower
#
# Environment: VENV, PYTHON (see venv.sh), CARGO_TARGET_DIR as usual.
set -euo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/venv.sh"

(cd "$root" && cargo build --release --quiet -p cm-sentiment --bin analyze-sentiment)
exec "$venv/bin/python" "$here/evaluate.py" \
  --data-dir "$venv/eval-data" \
  --cli "$target/release/analyze-sentiment" \
  "$@"
