#!/usr/bin/env bash
# Provide a CRIU that passes `criu check` on this kernel, for the Docker engine's checkpoint API
# (runc runs `criu` from its PATH, so setup.sh starts dockerd with $GB_PREFIX/bin first on PATH).
# Idempotent, and quick the second time: each step checks before it acts.
#   1. If $CRIU_LINK is already usable (below), stop there.
#   2. Else, if the distribution's criu is usable, link $CRIU_LINK to it.
#   3. Else build CRIU from Debian's source package, from the first of $CRIU_SUITES that offers a
#      usable version and builds (Debian 12's criu 3.17 fails `criu check` on kernel 6.x: "Failed to
#      fill self vdso symtable"). The Sources index comes through a PRIVATE apt configuration (never
#      the system's sources: apt would then upgrade host packages to that suite); only the upstream
#      tarball is fetched (the .dsc has answered 404). The tarball and the built binary are cached by
#      version under $CRIU_CACHE, so a second run (or a fresh prefix) does not rebuild.
# "Usable" is `criu check` passing and, on kernel >= 6.16, CRIU >= 4.2: older CRIU passes
# `criu check` there but cannot dump any process holding an inet (TCP/UDP) socket ("Can't get 1:16
# opt: Operation not supported": 6.16 restricted SO_PASSCRED/SO_PASSSEC to unix/netlink sockets;
# fixed in CRIU 4.2, checkpoint-restore/criu#2705).
#   4. Install it as $GB_PREFIX/criu/<version>/sbin/criu, point $CRIU_LINK at it, check it.
# Options:
#   --refresh   ask the archive for its newest version even if $CRIU_LINK already works
set -euo pipefail

GB_PREFIX="${GUESTBENCH_PREFIX:-/opt/guestbench}"      # a prefix the project owns
CRIU_LINK="$GB_PREFIX/bin/criu"                         # stable path: dockerd's PATH, the project's code
# Debian suites whose criu source package may be built, in order of preference: forky (testing)
# offers 4.2.1, trixie (13) 4.1.1 (enough on kernels < 6.16)
CRIU_SUITES="${GUESTBENCH_CRIU_SUITES:-forky trixie}"
CRIU_MIRROR="${GUESTBENCH_CRIU_MIRROR:-http://deb.debian.org/debian}"
CRIU_CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/guestbench/criu"
DISTRO_CRIU=/usr/sbin/criu
BUILD_DEPS=(build-essential pkg-config libprotobuf-dev libprotobuf-c-dev protobuf-c-compiler protobuf-compiler
            python3-protobuf libnl-3-dev libnl-route-3-dev libcap-dev libnet1-dev libbsd-dev libgnutls28-dev
            libaio-dev uuid-dev libnftables-dev)

say() { printf '[setup] %s\n' "$*" >&2; }
die() { printf '[setup] ERROR: %s\n' "$1" >&2; [ -n "${2:-}" ] && printf '[setup]   fix: %s\n' "$2" >&2; exit 1; }

REFRESH=0
for arg in "$@"; do
  case "$arg" in
    --refresh) REFRESH=1 ;;
    *) echo "setup-criu.sh: unknown option $arg (known: --refresh)" >&2; exit 2 ;;
  esac
done

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || die "not root and no sudo: criu check, apt and $GB_PREFIX need root" "rerun as root"
  SUDO="sudo"
fi

# criu_passes BIN: 0 if `BIN check` says "Looks good." (the output is kept in $CHECK_OUT)
CHECK_OUT=""
criu_passes() {
  [ -x "$1" ] || return 1
  CHECK_OUT="$($SUDO "$1" check 2>&1)" || return 1
  printf '%s\n' "$CHECK_OUT" | grep -q 'Looks good'
}
criu_version() { "$1" --version 2>/dev/null | sed -n 's/^Version: *//p' | head -n1; }
version_ge() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]; }   # version_ge A B: A >= B
MIN_VERSION=0
version_ge "$(uname -r | sed 's/[^0-9.].*//')" 6.16 && MIN_VERSION=4.2
USABLE_WHY=""
criu_usable() {   # criu_usable BIN: passes `criu check` and is new enough for this kernel ($USABLE_WHY says why not)
  local v
  if ! criu_passes "$1"; then USABLE_WHY="criu check: $(printf '%s\n' "$CHECK_OUT" | grep -m1 Error || printf '%s\n' "$CHECK_OUT" | tail -n1)"; return 1; fi
  v="$(criu_version "$1")"
  if ! version_ge "${v:-0}" "$MIN_VERSION"; then
    USABLE_WHY="passes criu check, but kernel $(uname -r) needs CRIU >= $MIN_VERSION to dump inet sockets"; return 1
  fi
}
link_to() {   # link_to TARGET: make $CRIU_LINK point at TARGET (absolute)
  [ "$(readlink "$CRIU_LINK" 2>/dev/null)" = "$1" ] && return 0
  $SUDO mkdir -p "$GB_PREFIX/bin"
  $SUDO ln -sfn "$1" "$CRIU_LINK"
}
report() {
  say "CRIU $(criu_version "$CRIU_LINK") at $CRIU_LINK -> $(readlink -f "$CRIU_LINK"): criu check: $(printf '%s\n' "$CHECK_OUT" | tail -n1)"
}
apt_install() {   # apt_install PKG...: install those not installed yet, from the system's own sources
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  say "installing apt packages: ${missing[*]}"
  if ! DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null; then
    $SUDO apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

# --- 1. already in place? -------------------------------------------------------------------
if [ "$REFRESH" = 0 ] && criu_usable "$CRIU_LINK"; then
  report
  exit 0
fi
command -v apt-get >/dev/null 2>&1 || die "no apt-get: cannot fetch or build CRIU here" \
  "install a CRIU >= 4 that passes 'criu check' and link it as $CRIU_LINK"

# --- 2. the distribution's criu -------------------------------------------------------------
if [ "$REFRESH" = 0 ]; then
  if [ ! -x "$DISTRO_CRIU" ] && apt-cache policy criu 2>/dev/null | grep -q 'Candidate: [0-9]'; then
    apt_install criu || true
  fi
  if criu_usable "$DISTRO_CRIU"; then
    say "the distribution's criu $(criu_version "$DISTRO_CRIU") passes criu check: using it"
    link_to "$DISTRO_CRIU"
    report
    exit 0
  elif [ -x "$DISTRO_CRIU" ]; then
    say "the distribution's criu $(criu_version "$DISTRO_CRIU") is not usable on kernel $(uname -r): $USABLE_WHY"
  fi
fi

# --- 3. CRIU built from Debian's source package, cached by version --------------------------
install_version() {   # install_version VERSION: cached binary -> prefix -> link; 0 if it passes check
  local v="$1" bin="$CRIU_CACHE/$1/criu" dest="$GB_PREFIX/criu/$1/sbin/criu"
  [ -x "$bin" ] || return 1
  if ldd "$bin" 2>/dev/null | grep -q 'not found'; then apt_install "${BUILD_DEPS[@]}"; fi  # its shared libraries
  local copied=0
  if ! cmp -s "$bin" "$dest" 2>/dev/null; then
    $SUDO install -D -m 0755 "$bin" "$dest"; copied=1
  fi
  criu_usable "$dest" || { say "CRIU $v ($dest) is not usable: $USABLE_WHY"; return 1; }
  link_to "$dest"
  [ "$copied" = 0 ] || say "CRIU $v installed as $dest"
  return 0
}

# a version built before (newest first): no archive needed
if [ "$REFRESH" = 0 ] && [ -d "$CRIU_CACHE" ]; then
  for v in $(cd "$CRIU_CACHE" && printf "%s\n" [0-9]* | sort -rV); do
    if install_version "$v"; then report; exit 0; fi
  done
fi

build_from_suite() {   # build_from_suite SUITE: 0 once a usable CRIU from SUITE is installed
  local suite="$1" apt_dir uri_line tarball sha256 version debver vdir jobs start
  apt_dir="$CRIU_CACHE/apt-$suite"
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
  printf 'deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s %s main\n' "$CRIU_MIRROR" "$suite" \
    > "$apt_dir/sources.list"
  local apt_opts=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
                  -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache")
  say "reading the criu source package of Debian $suite (private apt lists in $apt_dir)"
  if ! $SUDO apt-get -qq "${apt_opts[@]}" update >/dev/null 2>"$apt_dir/update.log"; then
    say "apt-get update of the private $suite deb-src list failed (see $apt_dir/update.log)"; return 1
  fi
  # one line: 'URI' criu_4.2.1.orig.tar.xz SIZE SHA256:HASH
  uri_line="$($SUDO apt-get -qq "${apt_opts[@]}" --print-uris --tar-only source criu 2>/dev/null | grep -m1 "\.orig\.tar\." || true)"
  [ -n "$uri_line" ] || { say "Debian $suite offers no criu source tarball"; return 1; }
  tarball="$(printf '%s\n' "$uri_line" | awk '{print $2}')"
  sha256="$(printf '%s\n' "$uri_line" | sed -n 's/.*SHA256:\([0-9a-f]*\).*/\1/p')"
  version="${tarball#criu_}"; version="${version%%.orig.tar.*}"
  debver="$(apt-cache "${apt_opts[@]}" showsrc criu 2>/dev/null | sed -n 's/^Version: //p' | sort -rV | head -n1)"
  say "Debian $suite offers criu ${debver:-$version} (upstream $version)"
  if ! version_ge "$version" "$MIN_VERSION"; then
    say "CRIU $version is too old for kernel $(uname -r) (needs >= $MIN_VERSION to dump inet sockets)"; return 1
  fi
  install_version "$version" && return 0

  vdir="$CRIU_CACHE/$version"
  mkdir -p "$vdir"
  if [ ! -f "$vdir/$tarball" ] || [ "$(sha256sum "$vdir/$tarball" | cut -d' ' -f1)" != "$sha256" ]; then
    say "downloading $tarball"
    # --tar-only: the .dsc and the Debian diff are not needed (and answered 404 on this mirror)
    if ! (cd "$vdir" && rm -f "$tarball" && $SUDO apt-get -qq "${apt_opts[@]}" source --download-only --tar-only criu >/dev/null 2>"$vdir/download.log"); then
      say "downloading $tarball failed (see $vdir/download.log)"; return 1
    fi
    [ "$(id -u)" -eq 0 ] || $SUDO chown "$(id -u):$(id -g)" "$vdir/$tarball"
    if [ "$(sha256sum "$vdir/$tarball" | cut -d' ' -f1)" != "$sha256" ]; then
      say "$tarball does not match the SHA256 of the signed Sources index"; rm -f "$vdir/$tarball"; return 1
    fi
  fi

  apt_install "${BUILD_DEPS[@]}"
  jobs="$(nproc 2>/dev/null || echo 1)"
  say "building CRIU $version (make -j$jobs criu, about a minute; log: $vdir/build.log)"
  BUILD_DIR="$(mktemp -d "$vdir/build.XXXXXX")"
  tar -C "$BUILD_DIR" --strip-components=1 -xf "$vdir/$tarball"
  start=$SECONDS
  if ! make -C "$BUILD_DIR" -j"$jobs" criu >"$vdir/build.log" 2>&1; then
    tail -n 20 "$vdir/build.log" >&2
    say "building CRIU $version failed (see $vdir/build.log)"; rm -rf "$BUILD_DIR"; return 1
  fi
  say "built CRIU $version in $((SECONDS - start)) s"
  cp "$BUILD_DIR/criu/criu" "$vdir/criu.tmp" && mv "$vdir/criu.tmp" "$vdir/criu"
  rm -rf "$BUILD_DIR"
  install_version "$version"
}

BUILD_DIR=""
trap '[ -z "$BUILD_DIR" ] || rm -rf "$BUILD_DIR"' EXIT
for suite in $CRIU_SUITES; do
  if build_from_suite "$suite"; then report; exit 0; fi
done
die "no usable CRIU (tried the Debian suites: $CRIU_SUITES)" \
  "install a CRIU (>= $MIN_VERSION here) that passes 'criu check' and link it as $CRIU_LINK, or set GUESTBENCH_CRIU_SUITES"
