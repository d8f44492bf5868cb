#!/usr/bin/env bash
# Submit a sharded ccsim sweep to SLURM: a job array with one shard per array task, then a merge
# job that runs once every shard has succeeded.
#
#   deploy/slurm/submit.sh SHARDS OUT SCENARIO [ccsim sweep arguments...]
#   deploy/slurm/submit.sh 64 /scratch/$USER/study scenarios/basic_chat.toml \
#       --vary staffing.agents=8..40 --vary indicator.yellow=20s,30s,45s --reps 200
#
# OUT must be on a file system every node sees. CCSIM (default: ccsim on the PATH) names the
# binary; extra sbatch options (partition, account) go in SBATCH_EXTRA.
set -euo pipefail
if [ $# -lt 3 ]; then
    sed -n '2,11p' "$0"; exit 2
fi
shards=$1; out=$2; scenario=$3; shift 3
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out/logs"
export CCSIM=${CCSIM:-ccsim}
array=$(sbatch --parsable ${SBATCH_EXTRA:-} --array=1-"$shards" \
    --output="$out/logs/shard-%a.log" \
    "$here/shard.sbatch" "$shards" "$out" "$scenario" "$@")
sbatch ${SBATCH_EXTRA:-} --dependency=afterok:"$array" --output="$out/logs/merge.log" \
    "$here/merge.sbatch" "$out"
echo "submitted shards as job $array; results will be in $out/merged"
