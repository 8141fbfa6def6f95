# shellcheck shell=bash
# The checks behind scripts/test, run inside the project's environment.
# Every check runs; pytest runs last so its summary line ends the output.
set -uo pipefail
status=0
step() { printf '\n== %s\n' "$*"; }

step "ruff check"
ruff check . || status=1
step "ruff format --check"
ruff format --check . || status=1
step "mypy --strict custom_components"
mypy --strict custom_components || status=1
if [ "${AUDIBLE_TRACKER_FRONTEND_STATUS:-0}" -ne 0 ]; then
  echo "scripts/test: the card's checks (frontend/) failed; see the start of the output"
  status=1
fi
if [ "$status" -ne 0 ]; then
  echo "scripts/test: lint or type checks failed (see above); running the tests anyway"
fi
step "pytest"
pytest --cov --cov-report=term-missing:skip-covered -p no:cacheprovider "$@"
pytest_status=$?
[ "$pytest_status" -ne 0 ] && exit "$pytest_status"
exit "$status"
