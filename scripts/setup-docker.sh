#!/usr/bin/env bash
# The Docker engine for guestbench (called by scripts/setup.sh; idempotent): running, in
# experimental mode, with the project's CRIU (scripts/setup-criu.sh, run first) first on its PATH.
# Works with a systemd-managed docker.service (drop-ins and daemon.json), with a dockerd an earlier
# set-up started, and leaves alone (with a warning and the fix) a dockerd started some other way.
set -euo pipefail

say() { printf '[setup] %s\n' "$*" >&2; }
die() { printf '[setup] ERROR: %s\n' "$1" >&2; [ -n "${2:-}" ] && printf '[setup]   fix: %s\n' "$2" >&2; exit 1; }
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

# The checkpoint experiments need the engine's experimental mode (`docker checkpoint`, the
# checkpoint API) and a CRIU that passes `criu check` on this kernel (scripts/setup-criu.sh).
# runc runs `criu` from the PATH it inherits (dockerd -> containerd -> shim -> runc), so the engine
# runs with $GB_BIN first on PATH.
export GUESTBENCH_PREFIX="${GUESTBENCH_PREFIX:-/opt/guestbench}"
GB_BIN="$GUESTBENCH_PREFIX/bin"
CRIU_LINK="$GB_BIN/criu"
DOCKERD_LOG=/var/log/guestbench-dockerd.log
DAEMON_JSON=/etc/docker/daemon.json
DOCKERD_PATH="$GB_BIN:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
dockerd_dir="$(dirname "$(command -v dockerd 2>/dev/null || echo /usr/sbin/dockerd)")"
case ":$DOCKERD_PATH:" in *":$dockerd_dir:"*) ;; *) DOCKERD_PATH="$DOCKERD_PATH:$dockerd_dir" ;; esac

engine_up() { $SUDO docker info >/dev/null 2>&1; }
engine_experimental() { [ "$($SUDO docker info --format '{{.ExperimentalBuild}}' 2>/dev/null)" = true ]; }
dockerd_pid() {
  local pid
  pid="$($SUDO cat /var/run/docker.pid 2>/dev/null || true)"
  if [ -n "$pid" ] && [ "$($SUDO cat "/proc/$pid/comm" 2>/dev/null)" = dockerd ]; then echo "$pid"; return; fi
  for pid in $(pgrep -x dockerd || true); do alive "$pid" && { echo "$pid"; return; }; done
}
path_ok() {   # path_ok PID: the process runs with $GB_BIN first on its PATH
  local p
  p="$($SUDO cat "/proc/$1/environ" 2>/dev/null | tr '\0' '\n' | sed -n 's/^PATH=//p')"
  case "$p:" in "$GB_BIN:"*) return 0 ;; *) return 1 ;; esac
}
json_experimental() {   # prints true, false, absent or invalid: the "experimental" key of daemon.json
  [ -f "$DAEMON_JSON" ] || { echo absent; return; }
  $SUDO cat "$DAEMON_JSON" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{
    try{const j=s.trim()?JSON.parse(s):{};console.log("experimental" in j?String(j.experimental):"absent")}
    catch{console.log("invalid")}})'
}
engine_checkpoint_ready() {   # experimental, and our CRIU first on the PATH of dockerd (and of a separate containerd)
  engine_experimental || return 1
  local pid; pid="$(dockerd_pid)"
  [ -n "$pid" ] && path_ok "$pid" || return 1
  if [ -n "${CONTAINERD_UNIT:-}" ]; then
    pid="$(systemctl show -p MainPID --value containerd.service 2>/dev/null || true)"
    [ -z "$pid" ] || [ "$pid" = 0 ] || path_ok "$pid" || return 1
  fi
}
not_ready_reason() {
  local r=() pid
  engine_experimental || r+=("not in experimental mode")
  pid="$(dockerd_pid)"
  [ -n "$pid" ] && path_ok "$pid" || r+=("$GB_BIN is not first on dockerd's PATH")
  [ "${#r[@]}" -gt 0 ] || r+=("$GB_BIN is not first on containerd's PATH")
  local out="${r[0]}" i
  for i in "${r[@]:1}"; do out="$out, and $i"; done
  echo "$out"
}
running_note() {
  local n; n="$($SUDO docker ps -q 2>/dev/null | wc -l)"
  [ "$n" = 0 ] || echo " (this stops its $n running container(s))"
}
start_own_dockerd() {
  local flag="--experimental"
  # daemon.json setting "experimental" too would make dockerd refuse to start (directive given twice)
  [ "$(json_experimental)" = absent ] || flag=""
  say "starting dockerd${flag:+ $flag} with $GB_BIN first on PATH (log: $DOCKERD_LOG)"
  $SUDO env PATH="$DOCKERD_PATH" sh -c "setsid nohup dockerd $flag >$DOCKERD_LOG 2>&1 </dev/null &"
  for _ in $(seq 1 60); do engine_up && break; sleep 0.5; done
  engine_up || die "dockerd did not come up" "see $DOCKERD_LOG"
}
alive() { [ -n "$1" ] && [ -d "/proc/$1" ] && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }   # zombies count as gone
stop_own_dockerd() {   # a clean stop (SIGTERM), waiting for dockerd and the containerd it started
  local pid="$1" cpid
  cpid="$(pgrep -P "$pid" -x containerd || true)"
  $SUDO kill -TERM "$pid"
  for _ in $(seq 1 120); do
    alive "$pid" || alive "$cpid" || break
    sleep 0.5
  done
  # a new dockerd would reuse a containerd still alive, and with it the old PATH
  alive "$pid" && die "dockerd (pid $pid) did not stop within 60 s" "stop it by hand, then rerun"
  alive "$cpid" && die "containerd (pid $cpid) did not stop within 60 s" "stop it by hand, then rerun"
  return 0
}
write_if_changed() {   # write_if_changed FILE CONTENT: 0 if the file changed
  [ -f "$1" ] && [ "$($SUDO cat "$1")" = "$2" ] && return 1
  $SUDO mkdir -p "$(dirname "$1")"
  printf '%s\n' "$2" | $SUDO tee "$1" >/dev/null
}
systemd_configure() {   # drop-ins with our PATH, daemon.json with experimental; 0 if anything changed
  local unchanged=1 unit dropin
  for unit in docker ${CONTAINERD_UNIT:+containerd}; do
    dropin="/etc/systemd/system/$unit.service.d/guestbench.conf"
    if write_if_changed "$dropin" "$(printf '# written by guestbench scripts/setup.sh: runc runs criu from PATH\n[Service]\nEnvironment=PATH=%s' "$DOCKERD_PATH")"; then
      say "wrote $dropin (PATH with $GB_BIN first)"; unchanged=0
    fi
  done
  case "$(json_experimental)" in
    true) ;;
    absent)
      [ -f "$DAEMON_JSON" ] && $SUDO cp -n "$DAEMON_JSON" "$DAEMON_JSON.guestbench-bak"
      $SUDO mkdir -p "$(dirname "$DAEMON_JSON")"
      { $SUDO cat "$DAEMON_JSON" 2>/dev/null || true; } | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{
        const j=s.trim()?JSON.parse(s):{};j.experimental=true;console.log(JSON.stringify(j,null,2))})' \
        | $SUDO tee "$DAEMON_JSON.new" >/dev/null
      $SUDO mv "$DAEMON_JSON.new" "$DAEMON_JSON"
      say "added \"experimental\": true to $DAEMON_JSON"; unchanged=0 ;;
    false) say "WARNING: $DAEMON_JSON sets \"experimental\": false; left as it is, so docker checkpoint will fail" ;;
    *) say "WARNING: $DAEMON_JSON is not valid JSON; left as it is" ;;
  esac
  [ "$unchanged" = 1 ] || $SUDO systemctl daemon-reload
  return "$unchanged"
}

HAVE_SYSTEMD=0
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ] && systemctl cat docker.service >/dev/null 2>&1; then
  HAVE_SYSTEMD=1
  # Debian's docker.service uses containerd.service: the shims (and runc) inherit containerd's PATH
  systemctl cat containerd.service >/dev/null 2>&1 && CONTAINERD_UNIT=1
fi
if engine_up; then
  pid="$(dockerd_pid)"
  if [ "$HAVE_SYSTEMD" = 1 ] && systemctl is-active -q docker.service; then
    systemd_configure || true
    if ! engine_checkpoint_ready; then
      say "the docker engine answers but $(not_ready_reason): restarting docker.service${CONTAINERD_UNIT:+ and containerd.service}$(running_note)"
      $SUDO systemctl restart ${CONTAINERD_UNIT:+containerd.service} docker.service
      for _ in $(seq 1 60); do engine_up && break; sleep 0.5; done
    fi
  elif [ -n "$pid" ] && [ "$($SUDO readlink "/proc/$pid/fd/1" 2>/dev/null)" = "$DOCKERD_LOG" ]; then
    if ! engine_checkpoint_ready; then   # a dockerd this set-up started
      say "the docker engine (dockerd pid $pid, started by set-up) answers but $(not_ready_reason): restarting it$(running_note)"
      stop_own_dockerd "$pid"
      start_own_dockerd
    fi
  elif ! engine_checkpoint_ready; then
    say "WARNING: the running docker engine (dockerd pid ${pid:-?}, not started by set-up nor systemd): $(not_ready_reason); left alone, so docker checkpoint will fail"
    say "  fix: stop it, then rerun scripts/setup.sh (or start it as: PATH=$DOCKERD_PATH dockerd --experimental)"
  fi
else
  if [ "$HAVE_SYSTEMD" = 1 ]; then
    systemd_configure || true
    say "starting docker with systemctl"
    $SUDO systemctl start docker || true
    for _ in $(seq 1 60); do engine_up && break; sleep 0.5; done
  fi
  engine_up || start_own_dockerd
fi
engine_up || die "the docker engine does not answer" "see $DOCKERD_LOG or: systemctl status docker"
version="$($SUDO docker version --format '{{.Server.Version}}' 2>/dev/null)"
if engine_checkpoint_ready; then
  say "docker engine $version answers in experimental mode (docker checkpoint / the checkpoint API need it), with CRIU $CRIU_LINK first on its PATH (runc runs criu from PATH)"
else
  say "docker engine $version answers, but $(not_ready_reason): checkpoint/restore experiments will fail"
fi

