#!/usr/bin/env bash
# Regenerates shared/sentiment/model/vader_lexicon.tsv from the pinned
# vaderSentiment, refits shared/sentiment/model/weights.bin and the parity fixture
# shared/sentiment/tests/fixtures/model_parity.tsv (see README.md).
#
#   eval/sentiment/train.sh
#
# Environment: VENV, PYTHON (see venv.sh), CARGO_TARGET_DIR as usual.
set -euo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/venv.sh"

"$venv/bin/python" "$here/export_lexicon.py"
(cd "$root" && cargo build --release --quiet -p cm-sentiment --bin sentiment-features)
exec "$venv/bin/python" "$here/train.py" \
  --data-dir "$venv/eval-data" \
  --features-cli "$target/release/sentiment-features" \
  "$@"
