#!/usr/bin/env bash
# One-time (and idempotent) set-up of a Debian/Ubuntu host for guestbench:
# apt packages (Docker, podman, LXC, QEMU, ...), a CRIU that works on this kernel, a running Docker engine, npm dependencies, the compiled library, the tslab
# Jupyter kernel, and the guest images. Quick the second time: each step checks before it acts.
#   --no-images   skip building the guest images
#   --no-kernel   skip registering the tslab Jupyter kernel (a campaign host driven over SSH runs no notebook:
#                 `guestbench hosts setup` passes it)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
BUILD_IMAGES=1
REGISTER_KERNEL=1
for arg in "$@"; do
  case "$arg" in
    --no-images) BUILD_IMAGES=0 ;;
    --no-kernel) REGISTER_KERNEL=0 ;;
    *) echo "setup.sh: unknown option $arg (known: --no-images, --no-kernel)" >&2; exit 2 ;;
  esac
done

say() { printf '[setup] %s\n' "$*" >&2; }
die() { printf '[setup] ERROR: %s\n' "$1" >&2; [ -n "${2:-}" ] && printf '[setup]   fix: %s\n' "$2" >&2; exit 1; }

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    die "not root and no sudo: apt packages, dockerd and debootstrap need root" "rerun as root, or install the packages listed in scripts/setup.sh by hand"
  fi
fi

# --- apt packages -------------------------------------------------------------------------
# chromium: the report's browser test (test/report), driven by npm's playwright-core (no browser download)
# openssh-client/-server: campaigns on other hosts (docs/hosts.md) and the namespace ssh hosts its tests run;
# ansible: the fleet playbook
PACKAGES=(docker.io podman crun runc conmon containernetworking-plugins lxc qemu-system-x86 qemu-utils sysbench debootstrap e2fsprogs iproute2 util-linux git criu mariadb-server
          jupyter-notebook jupyter-nbconvert python3-nbclient python3-nbformat python3-ipykernel ca-certificates
          chromium openssh-client openssh-server ansible)
if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg >/dev/null 2>&1; then
  die "this is not a Debian-like system (no apt-get)" "install by hand: ${PACKAGES[*]}, Node.js >= 20.19, then rerun"
fi
missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  say "installing apt packages: ${missing[*]}"
  $SUDO apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
else
  say "apt packages present"
fi

# --- Node.js ------------------------------------------------------------------------------
command -v node >/dev/null 2>&1 || die "Node.js is not installed" "install Node.js 20.19 or newer (e.g. from nodejs.org or NodeSource), then rerun"
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' \
  || die "Node.js $(node --version) is too old" "install Node.js 20.19 or newer (it can require() ES modules, which the notebooks rely on)"

# --- CRIU and the container engines ----------------------------------------------------------
"$ROOT/scripts/setup-criu.sh" \
  || say "WARNING: no working CRIU: checkpoint/restore and container migration will be recorded unsupported (rerun scripts/setup-criu.sh to see why)"
"$ROOT/scripts/setup-docker.sh"

# --- npm dependencies and build -------------------------------------------------------------
# `npm install` rather than `npm ci`: npm 11 rejects this lock file in `npm ci` because it omits
# other platforms' optional rollup binaries (nested under vite), although it installs fine from it
stamp="node_modules/.guestbench-lock-stamp"
deps_hash() { cat package.json package-lock.json | sha256sum | cut -d' ' -f1; }
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$(deps_hash)" ]; then
  say "installing npm dependencies"
  npm install --no-audit --no-fund --loglevel=error
  deps_hash > "$stamp"
else
  say "npm dependencies up to date"
fi
say "compiling the library (tsc)"
npm run --silent build

# --- Jupyter kernel -----------------------------------------------------------------------
if [ "$REGISTER_KERNEL" = 1 ]; then
  say "registering the tslab kernel with /usr/bin/python3's Jupyter"
  $SUDO node_modules/.bin/tslab install --python=/usr/bin/python3 --binary="$ROOT/node_modules/.bin/tslab" >/dev/null
fi

# --- guest images -------------------------------------------------------------------------
if [ "$BUILD_IMAGES" = 1 ]; then
  say "guest images (cached by content; the first build takes a few minutes)"
  $SUDO node bin/guestbench.js images build
fi
say "done"
