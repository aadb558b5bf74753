# The web app's set-up steps (web/), sourced after lib.sh by scripts/dev and
# scripts/web-test. Idempotent like the rest: each step is skipped when done.
# shellcheck shell=bash
WEB_DIR="$ROOT/web"

# need_node: Node.js and npm (Debian's where npm is missing, as for DynamoDB Local);
# Vite 8 needs Node 20.19 or later.
need_node() {
  need_npm
  node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' \
    || { echo "Node.js $(node -v) is too old for the web app (Vite needs 20.19 or later)" >&2; exit 1; }
}

# web_install: `npm ci` into web/node_modules from web/package-lock.json, once per
# change of the lockfile (a stamp holds its hash). No install scripts: none of the
# packages needs one (Vite's bundler ships its native binary as a package).
web_install() {
  need_node
  local stamp="$WEB_DIR/node_modules/.cm-lock.sha256" want
  want=$(cat "$WEB_DIR/package.json" "$WEB_DIR/package-lock.json" | sha256sum | cut -d' ' -f1)
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then return 0; fi
  log "installing the web app's packages (npm ci in web/; first run only)"
  (cd "$WEB_DIR" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  echo "$want" > "$stamp"
}

# web_build: type-checks and builds the app into web/dist (about a second), which
# the local stack serves (tools/local-stack/src/web.rs).
web_build() {
  web_install
  log "building the web app (tsc, vite build → web/dist)"
  (cd "$WEB_DIR" && npm run --silent build -- --logLevel warn)
}

# need_chromium: Debian's Chromium for the browser tests, which playwright-core drives
# (Playwright's own browser download is not used).
need_chromium() {
  [[ -x "${CHROMIUM:-/usr/bin/chromium}" ]] && return 0
  log "installing Chromium (Debian's chromium, for the browser tests; first run only)"
  apt_install chromium
  [[ -x /usr/bin/chromium ]] || { echo "no /usr/bin/chromium after installing it" >&2; exit 1; }
}
