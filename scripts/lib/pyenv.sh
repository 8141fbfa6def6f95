# shellcheck shell=bash
# Finds or provisions a Python >= 3.14.2 with the pinned requirements, then runs
# a command with that environment's bin/ first on PATH.
#
#   source scripts/lib/pyenv.sh; run_in_env COMMAND [ARGS...]
#
# 1. A host Python that is new enough ($PYTHON, python3.14, python3): a venv in
#    the cache directory, keyed by the requirements' hash.
# 2. Otherwise, on a Debian/Ubuntu host where we are root: an isolated Debian
#    testing (forky) root made with debootstrap, kept in the cache directory so
#    clean clones reuse it. The command runs chrooted inside `unshare --mount`,
#    with the checkout bind-mounted at its own path, so every mount dies with
#    the command.
# 3. Otherwise: a clear message and exit 2.
#
# Beside that venv, a second one holds the real Home Assistant release the
# smoke test starts (requirements_ha.txt, tests/smoke/); its Python is exported
# as AUDIBLE_TRACKER_HA_PYTHON.
#
# The Debian root also gets Debian's chromium, for the smoke test's browser
# checks (Playwright's own browser download needs the internet), exported as
# AUDIBLE_TRACKER_CHROMIUM; and a compiler, for Home Assistant's packages that
# have no wheel for Python 3.14 (see _ensure_root_extras).
#
# Cache directory: $AUDIBLE_TRACKER_CACHE, default ~/.cache/audible_tracker.

set -euo pipefail

PYENV_REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PYENV_CACHE="${AUDIBLE_TRACKER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/audible_tracker}"
PYENV_REQUIREMENTS=("$PYENV_REPO_ROOT/requirements_test.txt")
# The Home Assistant venv's inputs: its pins and what picks its extra packages.
PYENV_HA_REQUIREMENTS=("$PYENV_REPO_ROOT/requirements_ha.txt" "$PYENV_REPO_ROOT/tests/smoke/ha_requirements.py")
PYENV_MIN_PYTHON="3.14.2"
PYENV_SUITE="forky"
PYENV_MIRROR="${AUDIBLE_TRACKER_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
PYENV_ROOT_PACKAGES="python3.14,python3.14-venv,ca-certificates"
PYENV_ROOT_EXTRAS="chromium fonts-dejavu-core g++ python3.14-dev"
PYENV_CHROMIUM="/usr/bin/chromium"

_log() { printf '[pyenv] %s\n' "$*" >&2; }

_requirements_hash() {
  cat "${PYENV_REQUIREMENTS[@]}" | sha256sum | cut -c1-16
}

# Prints the first interpreter that is >= PYENV_MIN_PYTHON, or nothing.
_find_host_python() {
  local candidate
  for candidate in "${PYTHON:-}" python3.14 python3; do
    [ -n "$candidate" ] || continue
    command -v "$candidate" >/dev/null 2>&1 || continue
    if "$candidate" -c "import sys; v='$PYENV_MIN_PYTHON'.split('.'); sys.exit(0 if sys.version_info[:3] >= tuple(map(int, v)) else 1)" 2>/dev/null \
      && "$candidate" -c "import venv, ensurepip" 2>/dev/null; then
      command -v "$candidate"
      return 0
    fi
  done
  return 0
}

# Creates (or refreshes) a venv with the pinned requirements.
# $1: python to build it with, $2: venv dir. Both as seen by the caller.
_ensure_venv() {
  local python="$1" venv="$2" want
  want="$(_requirements_hash)"
  if [ -f "$venv/.requirements-hash" ] && [ "$(cat "$venv/.requirements-hash")" = "$want" ]; then
    return 0
  fi
  _log "installing pinned requirements into $venv (first run takes about a minute)"
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --upgrade pip
  local req
  for req in "${PYENV_REQUIREMENTS[@]}"; do
    "$venv/bin/python" -m pip install --quiet -r "$req"
  done
  echo "$want" >"$venv/.requirements-hash"
}

# Creates (or refreshes) the Home Assistant venv: requirements_ha.txt, then the
# requirements of the integrations Home Assistant always sets up (it runs with
# --skip-pip). Those without a wheel that cannot be built here are skipped:
# Home Assistant then logs that integration as failed, which is not ours.
# $1: python to build it with, $2: venv dir. Run from the repository root.
_ensure_ha_venv() {
  local python="$1" venv="$2" want
  # The root's extras too: with a compiler, packages skipped before now build.
  want="$({ cat "${PYENV_HA_REQUIREMENTS[@]}"; echo "$PYENV_ROOT_EXTRAS"; } | sha256sum | cut -c1-16)"
  if [ -f "$venv/.requirements-hash" ] && [ "$(cat "$venv/.requirements-hash")" = "$want" ]; then
    return 0
  fi
  _log "installing Home Assistant (requirements_ha.txt) into $venv (first run takes about 2 minutes)"
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --upgrade pip
  "$venv/bin/python" -m pip install --quiet -r "${PYENV_HA_REQUIREMENTS[0]}"
  local constraint req
  "$venv/bin/python" -m tests.smoke.ha_requirements >"$venv/default-integrations.txt"
  constraint="$(head -n 1 "$venv/default-integrations.txt")"
  while read -r req; do
    # shellcheck disable=SC2086  # "-c FILE" is two arguments
    "$venv/bin/python" -m pip install --quiet --prefer-binary $constraint "$req" >/dev/null 2>&1 \
      || _log "skipped $req (no wheel for this Python; its integration will not load)"
  done < <(tail -n +2 "$venv/default-integrations.txt")
  echo "$want" >"$venv/.requirements-hash"
}

# True when anything is mounted at or below $1 in any mount namespace we can see.
_has_live_mounts() {
  local root="$1" f
  for f in /proc/[0-9]*/mounts; do
    if awk -v r="$root" '$2 == r || index($2, r "/") == 1 { found = 1 } END { exit !found }' "$f" 2>/dev/null; then
      return 0
    fi
  done
  return 1
}

_ensure_debootstrap() {
  command -v debootstrap >/dev/null 2>&1 && return 0
  _log "installing debootstrap with apt"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
}

# Builds the forky root once; a half-built root is never used.
_ensure_root() {
  local root="$1" partial="$1.partial" script
  [ -x "$root/usr/bin/python3.14" ] && return 0
  _ensure_debootstrap
  if [ -e "$partial" ]; then
    if _has_live_mounts "$partial"; then
      _log "refusing to delete $partial: something is mounted inside it"
      exit 2
    fi
    rm -rf "$partial"
  fi
  # Older debootstraps have no script for forky; sid's works for testing.
  script=/usr/share/debootstrap/scripts/$PYENV_SUITE
  [ -e "$script" ] || script=/usr/share/debootstrap/scripts/sid
  _log "building a Debian $PYENV_SUITE root with Python 3.14 in $root (about 30 s)"
  debootstrap --variant=minbase --include="$PYENV_ROOT_PACKAGES" \
    "$PYENV_SUITE" "$partial" "$PYENV_MIRROR" "$script" >"$PYENV_CACHE/debootstrap.log" 2>&1 || {
    _log "debootstrap failed; see $PYENV_CACHE/debootstrap.log"
    exit 2
  }
  mv "$partial" "$root"
}

# Copies what the root needs from the host each run (cheap, keeps it current).
_sync_root_config() {
  local root="$1" f
  cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
  if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
    mkdir -p "$root/etc/ssl/certs"
    # Replaced only when it differs, and atomically: a command already running
    # in the root may be loading it (a half-copied bundle is an SSLError).
    if ! cmp -s /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"; then
      cp -L /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/.ca-certificates.crt.new"
      mv -f "$root/etc/ssl/certs/.ca-certificates.crt.new" "$root/etc/ssl/certs/ca-certificates.crt"
    fi
  fi
  # The host's pip settings (certificates, index mirrors), less local
  # find-links/index paths that do not exist inside the root.
  for f in /etc/pip.conf "$HOME/.pip/pip.conf" "$HOME/.config/pip/pip.conf"; do
    if [ -f "$f" ]; then
      mkdir -p "$root$(dirname "${f/#$HOME//root}")"
      grep -vE '^[[:space:]]*(find-links|extra-index-url|index-url)[[:space:]]*=[[:space:]]*(file:|/)' "$f" \
        >"$root${f/#$HOME//root}" || true
    fi
  done
}

# Installs what the root needs beyond debootstrap's packages, when the list
# changed (a root built before gets them on its next run): chromium for the
# browser checks, and a compiler for the Home Assistant packages that have no
# wheel for Python 3.14 (pymicro-vad, pyspeex-noise: without them the
# frontend's service list fails and it never gets past its loading screen).
_ensure_root_extras() {
  local root="$1" marker="$1/etc/audible_tracker_extras"
  [ "$(cat "$marker" 2>/dev/null)" = "$PYENV_ROOT_EXTRAS" ] && return 0
  _log "installing $PYENV_ROOT_EXTRAS into $root (once, about 30 s)"
  # Recommends would add desktop services; a font is all a headless page needs.
  # Signatures are checked, not the Release file's age: a mirror snapshot
  # (as debootstrap accepted) may be older than apt's validity window.
  # shellcheck disable=SC2016  # expanded by the inner shell
  _run_in_root "$root" /usr/bin/env DEBIAN_FRONTEND=noninteractive PATH=/usr/sbin:/usr/bin:/sbin:/bin \
    /bin/bash -c 'set -e; apt="apt-get -qq -o Acquire::Check-Valid-Until=false"
      $apt update; $apt install -y --no-install-recommends $0; $apt clean' "$PYENV_ROOT_EXTRAS" \
    >"$PYENV_CACHE/root-extras.log" 2>&1 || {
    _log "installing them failed; see $PYENV_CACHE/root-extras.log"
    exit 2
  }
  echo "$PYENV_ROOT_EXTRAS" >"$marker"
}

# Runs "$@" inside the root: private mount namespace, /proc, /dev, the checkout.
_run_in_root() {
  local root="$1"
  shift
  local venv="/opt/venv"
  local inner
  # shellcheck disable=SC2016  # expanded by the inner shell
  inner='
    set -e
    mount -t proc proc "$ROOT/proc"
    mount --rbind /dev "$ROOT/dev"
    mkdir -p "$ROOT$REPO"
    mount --bind "$REPO" "$ROOT$REPO"
    case "${PIP_FIND_LINKS:-}" in /*|file:*) unset PIP_FIND_LINKS ;; esac
    exec chroot "$ROOT" /usr/bin/env HOME=/root PATH="$VENV/bin:/usr/local/bin:/usr/bin:/bin" \
      AUDIBLE_TRACKER_HA_PYTHON="$VENV-ha/bin/python" AUDIBLE_TRACKER_CHROMIUM="$CHROMIUM" \
      /bin/bash -c "cd \"\$PWD_IN\" && exec \"\$@\"" run "$@"
  '
  ROOT="$root" REPO="$PYENV_REPO_ROOT" VENV="$venv" PWD_IN="$PWD" CHROMIUM="$PYENV_CHROMIUM" \
    unshare --mount --propagation private --fork -- /bin/bash -c "$inner" inner "$@"
}

run_in_env() {
  mkdir -p "$PYENV_CACHE"
  local python
  python="$(_find_host_python)"
  if [ -n "$python" ]; then
    local venv
    venv="$PYENV_CACHE/venv-host-$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
    (
      flock 9
      _ensure_venv "$python" "$venv"
      cd "$PYENV_REPO_ROOT" && _ensure_ha_venv "$python" "$venv-ha"
    ) 9>"$PYENV_CACHE/lock"
    PATH="$venv/bin:$PATH" AUDIBLE_TRACKER_HA_PYTHON="$venv-ha/bin/python" "$@"
    return $?
  fi

  if [ "$(id -u)" != 0 ] || ! [ -f /etc/debian_version ] || ! command -v unshare >/dev/null 2>&1; then
    cat >&2 <<EOF
[pyenv] This project needs Python >= $PYENV_MIN_PYTHON (Home Assistant 2026.x).
[pyenv] None was found (tried \$PYTHON, python3.14, python3).
[pyenv] Either install Python $PYENV_MIN_PYTHON or newer and set PYTHON=/path/to/python3.14,
[pyenv] or run as root on Debian/Ubuntu so a Debian $PYENV_SUITE root can be provisioned.
EOF
    exit 2
  fi

  local root="$PYENV_CACHE/$PYENV_SUITE-root"
  (
    flock 9
    _ensure_root "$root"
    _sync_root_config "$root"
    _ensure_root_extras "$root"
    # The venv lives inside the root; build it there.
    _run_in_root "$root" /bin/bash -c "set -e; $(declare -f _log _requirements_hash _ensure_venv _ensure_ha_venv)
      PYENV_REQUIREMENTS=(${PYENV_REQUIREMENTS[*]}); PYENV_HA_REQUIREMENTS=(${PYENV_HA_REQUIREMENTS[*]})
      PYENV_ROOT_EXTRAS=\"$PYENV_ROOT_EXTRAS\"
      _ensure_venv /usr/bin/python3.14 /opt/venv
      cd \"$PYENV_REPO_ROOT\" && _ensure_ha_venv /usr/bin/python3.14 /opt/venv-ha"
  ) 9>"$PYENV_CACHE/lock"
  _run_in_root "$root" "$@"
}
