#!/usr/bin/env bash
# Run a ccsim sweep as N shards on this machine, P at a time (GNU parallel if installed,
# otherwise xargs -P), then merge them. The merged folder is byte for byte what
# `ccsim sweep ... --out OUT/merged` would write.
#
#   deploy/local/run-sharded.sh SHARDS PARALLEL OUT SCENARIO [ccsim sweep arguments...]
#   deploy/local/run-sharded.sh 8 2 /tmp/study scenarios/basic_chat.toml \
#       --vary staffing.agents=8..16 --reps 20
#
# CCSIM names the binary (default: ccsim on the PATH).
set -euo pipefail
if [ $# -lt 4 ]; then
    sed -n '2,10p' "$0"; exit 2
fi
shards=$1; jobs=$2; out=$3; scenario=$4; shift 4
ccsim=${CCSIM:-ccsim}
mkdir -p "$out/shards"
shard() { # shard index, then the sweep arguments
    local i=$1; shift
    "$ccsim" sweep "$scenario" "$@" --shard "$i/$shards" --threads 1 --quiet \
        --out "$out/shards/$i"
}
export -f shard; export ccsim scenario shards out
if command -v parallel >/dev/null; then
    seq 1 "$shards" | parallel --halt now,fail=1 -j "$jobs" shard {} "$@"
else
    seq 1 "$shards" | xargs -P "$jobs" -I{} bash -c 'shard "$@"' _ {} "$@"
fi
"$ccsim" merge "$out"/shards/* --out "$out/merged" --quiet
echo "merged into $out/merged"
