# Shared by .ci/serve (README command 1) and .ci/test (README command 2).
# Every install step checks first and skips what is already there at the right version.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
export PATH="$HOME/.cargo/bin:$PATH"
# Build cache outside the clone, so a fresh clone reuses compiled dependencies.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/tenantry/target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

CARGO_LEPTOS_VERSION=0.3.10
AIOSMTPD_VERSION=1.4.6
# The official MCP client library, which the MCP tests drive the endpoint with.
MCP_VERSION=2.3.0
# The property-based API tester run against the served OpenAPI document.
SCHEMATHESIS_VERSION=4.32.5
# The loopback SMTP server of the tests lives in its own virtual environment.
PY_VENV="${TENANTRY_PY_VENV:-$HOME/.cache/tenantry/py}"
LEPTOSFMT_VERSION=0.1.33
# The CLI must match the wasm-bindgen crate pinned in Cargo.lock exactly.
WASM_BINDGEN_VERSION=$(grep -A1 '^name = "wasm-bindgen"$' Cargo.lock | sed -n 's/^version = "\(.*\)"$/\1/p')

START=$(date +%s)
step() { printf '\n==> [%4ss] %s\n' "$(($(date +%s) - START))" "$*"; }

# has_version TOOL EXPECTED: TOOL --version mentions EXPECTED.
has_version() { command -v "$1" >/dev/null 2>&1 && "$1" --version 2>/dev/null | grep -qF "$2"; }

# Runs as root here; elsewhere through sudo when it is there.
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

cargo_install() { env -u CARGO_TARGET_DIR cargo install "$@"; }

ensure_build_tools() {
  step "Build tools"
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    rustup target add wasm32-unknown-unknown
  fi
  has_version cargo-leptos "$CARGO_LEPTOS_VERSION" || cargo_install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked
  # Without --locked: the index lacks one of its locked dependencies (see TOOLCHAIN notes).
  has_version wasm-bindgen "wasm-bindgen $WASM_BINDGEN_VERSION" || cargo_install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
  # npm install (not ci) at the root: the registry here serves only the Linux tailwind packages.
  if [ ! -x node_modules/.bin/tailwindcss ] || [ ! -x node_modules/.bin/wasm-opt ] || [ package.json -nt node_modules/.package-lock.json ]; then
    npm install --no-audit --no-fund
  fi
}

ensure_test_tools() {
  step "Test tools"
  if [ ! -x /usr/bin/chromium ]; then
    as_root apt-get update
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
  fi
  has_version leptosfmt "$LEPTOSFMT_VERSION" || cargo_install leptosfmt --version "$LEPTOSFMT_VERSION" --locked
  if [ ! -x end2end/node_modules/.bin/playwright ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
    (cd end2end && npm ci --no-audit --no-fund)
  fi
  if ! "$PY_VENV/bin/python" -c "import sys, aiosmtpd; sys.exit(aiosmtpd.__version__ != '$AIOSMTPD_VERSION')" 2>/dev/null; then
    python3 -m venv "$PY_VENV"
    "$PY_VENV/bin/pip" install --quiet --disable-pip-version-check "aiosmtpd==$AIOSMTPD_VERSION"
  fi
  if ! "$PY_VENV/bin/python" -c "import sys, importlib.metadata as m; sys.exit(m.version('mcp') != '$MCP_VERSION')" 2>/dev/null; then
    "$PY_VENV/bin/pip" install --quiet --disable-pip-version-check "mcp==$MCP_VERSION"
  fi
  if ! "$PY_VENV/bin/python" -c "import sys, importlib.metadata as m; sys.exit(m.version('schemathesis') != '$SCHEMATHESIS_VERSION')" 2>/dev/null; then
    "$PY_VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
  fi
  # Read by the integration tests and the end-to-end configuration.
  export TENANTRY_TEST_PYTHON="$PY_VENV/bin/python"
}

# The integration tests need PostgreSQL on 127.0.0.1:5432 (trust auth); start the local
# cluster when it is installed but stopped.
ensure_postgres() {
  step "PostgreSQL"
  if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
    echo "PostgreSQL is accepting connections on 127.0.0.1:5432"
  elif command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  fi
  if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
    echo "!!! PostgreSQL is not reachable on 127.0.0.1:5432: the PostgreSQL tests will skip (and fail under CI=true)."
  fi
}

build_release() {
  step "Release build (server + WASM bundle)"
  # --split: each lazy route's code is its own WASM chunk (see app/src/routes.rs).
  cargo leptos build --release --precompress --split
}
