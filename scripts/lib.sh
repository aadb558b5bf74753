# Shared by the scripts in this folder: paths and idempotent set-up steps.
# shellcheck shell=bash
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENVS="$ROOT/.venv"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# venv NAME: creates .venv/NAME from scripts/python/requirements-NAME.txt, once per
# change of that file (a stamp holds its hash), so re-runs cost nothing.
venv() {
  local name=$1 req="$ROOT/scripts/python/requirements-$1.txt" dir="$VENVS/$1"
  local stamp="$dir/.requirements.sha256" want
  want=$(sha256sum "$req" | cut -d' ' -f1)
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then return 0; fi
  log "installing Python tools: $name (first run only)"
  python3 -m venv "$dir"
  "$dir/bin/pip" install --quiet --disable-pip-version-check -r "$req"
  echo "$want" > "$stamp"
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

wait_port() { # port, seconds
  local port=$1 deadline=$((SECONDS + ${2:-30}))
  until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    (( SECONDS < deadline )) || { echo "timed out waiting for 127.0.0.1:$port" >&2; return 1; }
    sleep 0.2
  done
}

need_cargo() {
  command -v cargo >/dev/null || { echo "cargo is required (Rust ${RUST_VERSION:-1.90}+); install it with rustup" >&2; exit 1; }
}

# start_moto: a moto server on a free loopback port, stopped when this script exits.
# Sets MOTO_PORT and MOTO_URL.
start_moto() {
  venv aws
  MOTO_PORT=$(free_port)
  MOTO_URL="http://127.0.0.1:$MOTO_PORT"
  "$VENVS/aws/bin/moto_server" -H 127.0.0.1 -p "$MOTO_PORT" >"${MOTO_LOG:-/dev/null}" 2>&1 &
  MOTO_PID=$!
  trap 'kill "$MOTO_PID" 2>/dev/null || true' EXIT
  wait_port "$MOTO_PORT" 30
}

# The local stack's binary (tools/local-stack), in the target directory cargo uses.
local_stack_bin() {
  echo "${CARGO_TARGET_DIR:-$ROOT/target}/debug/local-stack"
}

# dev_prepare: everything the local stack needs, idempotently: moto and cargo-lambda
# (Python venvs), and every binary of the workspace, function binaries included
# (dev profile; cargo rebuilds only what changed).
dev_prepare() {
  need_cargo
  venv aws
  venv lambda
  # The PyPI wheel ships the real cargo-lambda binary; check it runs on this machine.
  PATH="$VENVS/lambda/bin:$PATH" cargo lambda -V >/dev/null \
    || { echo "cargo-lambda from .venv/lambda does not run here" >&2; exit 1; }
  log "cargo build --workspace --bins"
  cargo build --locked --workspace --bins
}

# need_local_stack: builds just the local-stack binary when it is missing.
need_local_stack() {
  [[ -x "$(local_stack_bin)" ]] || { need_cargo; cargo build --locked -q -p local-stack; }
}
