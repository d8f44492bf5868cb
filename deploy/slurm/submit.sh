#!/usr/bin/env bash
# Submit a sharded ccsim sweep to SLURM: a job array with one shard per array task, then a merge
# job that runs once every shard has succeeded.
#
#   deploy/slurm/submit.sh SHARDS OUT SCENARIO [ccsim sweep arguments...]
#   deploy/slurm/submit.sh 64 /scratch/$USER/study scenarios/basic_chat.toml \
#       --vary staffing.agents=8..40 --vary indicator.yellow=20s,30s,45s --reps 200
#
# Run it from the folder the scenario path is relative to (the jobs start there), with OUT on a
# file system every node sees. CCSIM (default: ccsim on the PATH) names the binary; extra sbatch
# options go in SBATCH_EXTRA and override the #SBATCH lines of shard.sbatch and merge.sbatch,
# e.g. SBATCH_EXTRA="--partition=short --cpus-per-task=2" (shards ask for 4 CPUs otherwise).
set -euo pipefail
if [ $# -lt 3 ]; then
    sed -n '2,12p' "$0"; exit 2
fi
shards=$1; out=$2; scenario=$3; shift 3
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out/logs"
export CCSIM=${CCSIM:-ccsim}
# SBATCH_EXTRA is split into words on purpose: it holds several options.
# shellcheck disable=SC2086
array=$(sbatch --parsable ${SBATCH_EXTRA:-} --array=1-"$shards" \
    --output="$out/logs/shard-%a.log" \
    "$here/shard.sbatch" "$shards" "$out" "$scenario" "$@")
array=${array%%;*} # --parsable prints "id" or "id;cluster"
# shellcheck disable=SC2086
merge=$(sbatch --parsable ${SBATCH_EXTRA:-} --dependency=afterok:"$array" \
    --output="$out/logs/merge.log" "$here/merge.sbatch" "$out")
merge=${merge%%;*}
echo "submitted the shards as job array $array and the merge as job $merge (it starts once" \
    "every shard has succeeded); results will be in $out/merged, logs in $out/logs"
