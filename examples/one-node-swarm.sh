#!/usr/bin/env bash
# A one-node swarm on the embedded default (tasks as host processes), with an example service.
# Runs the jlinked image built by `./mvnw -B package -DskipTests`; stops and cleans up on Ctrl-C.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
skep="$here/../distribution/target/skep/bin/skep"
[ -x "$skep" ] || { echo "no skep image at $skep: build it with ./mvnw -B package -DskipTests" >&2; exit 1; }

demo="${SKEP_DEMO_DIR:-${TMPDIR:-/tmp}/skep-demo}"
mkdir -p "$demo"
export SKEP_HOST="unix://$demo/skep.sock"

"$skep" daemon --data-dir "$demo/data" --host "$SKEP_HOST" --raft-port 0 >"$demo/daemon.log" 2>&1 &
daemon=$!
cleanup() {
  "$skep" service rm hello >/dev/null 2>&1 || true
  kill "$daemon" 2>/dev/null || true
  wait "$daemon" 2>/dev/null || true
}
trap cleanup EXIT INT TERM

for _ in $(seq 100); do "$skep" version >/dev/null 2>&1 && break; sleep 0.1; done
"$skep" info --format json >/dev/null || { cat "$demo/daemon.log" >&2; exit 1; }
if ! "$skep" info --format json | grep -q '"LocalNodeState":"active"'; then
  "$skep" swarm init
fi

# The example service: three replicas of a small loop, each its own host process.
"$skep" service create --name hello --replicas 3 host \
  sh -c 'while true; do echo "hello from $HOSTNAME"; sleep 5; done'
"$skep" service ls
"$skep" service ps hello
echo
echo "skep is running a one-node swarm (SKEP_HOST=$SKEP_HOST, log: $demo/daemon.log)."
echo "In another shell: export SKEP_HOST=$SKEP_HOST; $skep service scale hello=5. Ctrl-C stops it."
wait "$daemon"
