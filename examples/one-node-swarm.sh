#!/usr/bin/env bash
# A one-node swarm on the embedded default (tasks as host processes), with an example service.
# Runs the jlinked image built by `./mvnw -B package -DskipTests`; stops and cleans up on Ctrl-C.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
skep="$(cd "$here/.." && pwd)/distribution/target/skep/bin/skep"
[ -x "$skep" ] || { echo "no skep image at $skep: build it with ./mvnw -B package -DskipTests" >&2; exit 1; }

demo="${SKEP_DEMO_DIR:-${TMPDIR:-/tmp}/skep-demo}"
mkdir -p "$demo"
export SKEP_HOST="unix://$demo/skep.sock"

# Its own session: a Ctrl-C here reaches this script, which removes the service before stopping the daemon.
setsid "$skep" daemon --data-dir "$demo/data" --host "$SKEP_HOST" --raft-port 0 >"$demo/daemon.log" 2>&1 &
daemon=$!
cleanup() {
  trap - EXIT INT TERM
  pids=$("$skep" service ps hello --format json 2>/dev/null | grep -o '"PID":[0-9]*' | cut -d: -f2 || true)
  "$skep" service rm hello >/dev/null 2>&1 || true
  for pid in $pids; do
    for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  done
  kill "$daemon" 2>/dev/null || true
  wait "$daemon" 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for _ in $(seq 100); do "$skep" version >/dev/null 2>&1 && break; sleep 0.1; done
"$skep" version >/dev/null || { cat "$demo/daemon.log" >&2; exit 1; }
# A restarted demo finds its swarm (and its service) again in the data directory.
"$skep" node ls >/dev/null 2>&1 || "$skep" swarm init

# The example service: three replicas of a small loop, each its own host process.
"$skep" service inspect hello >/dev/null 2>&1 || "$skep" service create --name hello --replicas 3 host \
  sh -c 'while true; do echo "hello from $HOSTNAME"; sleep 5; done'
"$skep" service ls
"$skep" service ps hello
echo
echo "skep is running a one-node swarm (SKEP_HOST=$SKEP_HOST, log: $demo/daemon.log)."
echo "In another shell: export SKEP_HOST=$SKEP_HOST; $skep service scale hello=5. Ctrl-C stops it."
wait "$daemon"
