#!/bin/bash
# A CLI command's start, two builds side by side: `skep node ls` and `skep --version` of the node image and of the
# client image of each, against one daemon (AFTER's), 11 interleaved runs, median wall and CPU seconds.
# usage: bench/scripts/cli-start.sh BEFORE_DIST_TARGET AFTER_DIST_TARGET
#   (each a distribution/target of a build: a worktree of the baseline commit, and this tree)
set -u
b=$1; a=$2; w=$(mktemp -d); export SKEP_HOST=unix://$w/skep.sock
$a/skep/bin/skep daemon --data-dir $w/data -H $SKEP_HOST --raft-port 0 --listen-addr 127.0.0.1:0 >$w/log 2>&1 &
dp=$!
for i in $(seq 100); do $a/skep/bin/skep version >/dev/null 2>&1 && break; sleep 0.2; done
$a/skep/bin/skep swarm init >/dev/null
for i in $(seq 11); do
  for side in before after; do
    t=$b; [ $side = after ] && t=$a
    for img in skep skep-client; do
      for cmd in "node ls" "--version"; do
        /usr/bin/time -f '%e %U %S' -a -o "$w/$side-$img-${cmd// /_}.t" $t/$img/bin/skep $cmd >/dev/null
      done
    done
  done
done
for f in $w/*.t; do n=$(basename $f .t); echo "$n: wall $(awk '{print $1}' $f | sort -n | sed -n 6p) s, cpu $(awk '{print $2+$3}' $f | sort -n | sed -n 6p) s"; done
kill $dp; wait $dp 2>/dev/null; rm -rf $w
