#!/bin/sh
# Makes the image's AOT cache (JDK 25+: JEP 483, 514, 515) from a training run: a daemon of the image runs a
# small swarm (a service of host processes created, scaled, updated, listed, removed) with -XX:AOTCacheOutput,
# and writes lib/skep.aot when it stops. The docker runtime is trained too when an engine answers here; its
# containers are not, as the training service runs on the process runtime.
#
# With CLIENT_IMAGE_DIR, the client image's cache (its lib/skep.aot) is made too, from one `skep node ls` of its
# own against that daemon (io.skep.cli.AotTraining builds every command's model first: a command line builds only
# the one it names): a CLI run loads most of what any command does (picocli, the client, Jackson, Netty).
#
# usage: train.sh IMAGE_DIR [CLIENT_IMAGE_DIR]
set -eu
image=$1
client=${2:-}
cache="$image/lib/skep.aot"
work=$(mktemp -d)
rm -f "$cache"
"$image/bin/java" -XX:AOTCacheOutput="$cache" -m io.skep.core/io.skep.core.node.NodeMain \
  daemon --data-dir "$work/data" --host "unix://$work/skep.sock" --raft-port 0 \
  --listen-addr 127.0.0.1:0 >"$work/daemon.log" 2>&1 &
daemon=$!
stop() {
  kill "$daemon" 2>/dev/null || true
  wait "$daemon" 2>/dev/null || true
  rm -rf "$work"
}
trap stop EXIT
fail() {
  echo "AOT training failed: $*" >&2
  cat "$work/daemon.log" >&2
  exit 1
}
skep() { "$image/bin/skep" --host "unix://$work/skep.sock" "$@"; }
converged() { # SERVICE REPLICAS: waits up to 60 s for REPLICAS running tasks
  for _ in $(seq 600); do
    [ "$(skep service ps "$1" --filter desired-state=running --format '{{.CurrentState}}' | grep -c '^Running')" = "$2" ] \
      && return 0
    sleep 0.1
  done
  fail "service $1 did not reach $2 running tasks"
}

for _ in $(seq 600); do skep version >/dev/null 2>&1 && break; sleep 0.1; done
skep version >/dev/null || fail "the daemon did not answer"
skep swarm init >/dev/null
skep info >/dev/null
skep node ls >/dev/null
skep service create -d --name train --replicas 4 --runtime process host sleep 600 >/dev/null
converged train 4
skep service scale -d train=8 >/dev/null
converged train 8
skep service update -d --env-add TRAINING=1 --update-parallelism 4 train >/dev/null
for _ in $(seq 600); do
  [ "$(skep service inspect train --format '{{.UpdateStatus.State}}')" = completed ] && break
  sleep 0.1
done
skep service ls >/dev/null
skep service ps train >/dev/null
skep service inspect --pretty train >/dev/null
skep service rm train >/dev/null
skep node inspect self >/dev/null
if [ -n "$client" ]; then
  rm -f "$client/lib/skep.aot"
  "$client/bin/java" -XX:AOTCacheOutput="$client/lib/skep.aot" -m io.skep.cli/io.skep.cli.AotTraining \
    --host "unix://$work/skep.sock" node ls >/dev/null || fail "the client image's training run failed"
  [ -s "$client/lib/skep.aot" ] || fail "no AOT cache at $client/lib/skep.aot"
  echo "client AOT cache: $client/lib/skep.aot ($(du -h "$client/lib/skep.aot" | cut -f1))"
fi

# The cache is written as the JVM exits (with a second JVM that assembles it).
kill "$daemon"
wait "$daemon" || true
[ -s "$cache" ] || fail "no AOT cache at $cache"
echo "AOT cache: $cache ($(du -h "$cache" | cut -f1))"
