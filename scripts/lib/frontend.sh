# shellcheck shell=bash
# The card's checks (frontend/), run by scripts/test with the host's Node:
# Node is not in the Python environment's Debian root. Installs the pinned
# packages (package-lock.json) into frontend/node_modules (git-ignored) when
# the lock file changed, then type-checks, runs the unit tests (Vitest) and
# checks that the committed bundle equals a fresh build.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../../frontend"
status=0
step() { printf '\n== %s\n' "$*"; }
MIN_NODE="20.19"

step "frontend: node_modules"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "scripts/test: the card's checks need Node >= $MIN_NODE and npm on PATH (https://nodejs.org)"
  exit 1
fi
if ! node -e "const [a,b]=process.versions.node.split('.').map(Number),[x,y]='$MIN_NODE'.split('.').map(Number);process.exit(a>x||(a===x&&b>=y)?0:1)"; then
  echo "scripts/test: Node $(node --version) is too old for the card's tools; need >= $MIN_NODE"
  exit 1
fi
want="$( { cat package-lock.json; node --version; } | sha256sum | cut -c1-16)"
stamp=node_modules/.audible-tracker-lock
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  # No install scripts: esbuild's binary comes as an optional dependency.
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error || exit 1
  echo "$want" >"$stamp"
fi
echo "node $(node --version), packages as in package-lock.json"

step "frontend: tsc --noEmit"
node node_modules/typescript/bin/tsc --noEmit -p . || status=1
step "frontend: vitest"
node node_modules/vitest/vitest.mjs run || status=1
step "frontend: the committed bundle equals a fresh build"
node build.mjs --check || status=1
exit "$status"
