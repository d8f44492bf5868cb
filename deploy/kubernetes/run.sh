#!/usr/bin/env bash
# Run a sharded ccsim sweep on Kubernetes: the scenario goes into a ConfigMap, the shards run
# as an Indexed Job on a shared volume, then a merge Job combines them.
#
#   IMAGE=registry.example.com/ccsim:0.1 deploy/kubernetes/run.sh SHARDS PARALLELISM SCENARIO \
#       --vary staffing.agents=8..40 --vary indicator.yellow=20s,30s,45s --reps 200
#
# Needs kubectl (pointing at the cluster and namespace to use) and envsubst (gettext).
set -euo pipefail
if [ $# -lt 3 ]; then
    sed -n '2,9p' "$0"; exit 2
fi
export SHARDS=$1 PARALLELISM=$2; scenario=$3; shift 3
export IMAGE=${IMAGE:?set IMAGE to the ccsim image built from deploy/kubernetes/Dockerfile}
export SWEEP_ARGS="$*"
here=$(cd "$(dirname "$0")" && pwd)
fill() { envsubst '${SHARDS} ${PARALLELISM} ${IMAGE} ${SWEEP_ARGS}' < "$1"; }

kubectl apply -f "$here/storage.yaml"
kubectl create configmap ccsim-scenario --from-file=scenario.toml="$scenario" \
    --dry-run=client -o yaml | kubectl apply -f -
kubectl delete job ccsim-sweep ccsim-merge --ignore-not-found
fill "$here/sweep-job.yaml" | kubectl apply -f -
kubectl wait --for=condition=complete --timeout=24h job/ccsim-sweep
fill "$here/merge-job.yaml" | kubectl apply -f -
kubectl wait --for=condition=complete --timeout=1h job/ccsim-merge
echo "merged results are in /data/merged on the ccsim-data volume"
