#!/usr/bin/env bash
# Test the SLURM recipe (submit.sh, shard.sbatch, merge.sbatch) on a real SLURM: a one-node
# cluster on this machine, started here and stopped on exit. The study is submitted exactly as
# deploy/README.md says, and the merged files must equal, byte for byte, those of the same sweep
# run unsharded.
#
#   deploy/slurm/test-on-local-cluster.sh        # from anywhere; run by .ci/run
#
# Needs Debian (apt-get) and root or sudo: it installs slurmctld, slurmd and munge when they are
# missing. Nothing of an existing installation is touched: the cluster's configuration, keys,
# state, sockets and logs live in a fresh temporary folder (removed on success, kept and named
# on failure), its daemons listen on free ports of their own (from 16817 on) and use their own
# munged socket, and only the daemons started here are stopped. CCSIM names the binary to test
# (default: `cargo build --release` in this checkout, then its target/release/ccsim).
# SLURM_TEST_TIMEOUT (seconds, default 300) bounds the wait for the cluster and for the jobs.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
timeout=${SLURM_TEST_TIMEOUT:-300}
t0=$SECONDS
say() { echo "slurm test: $*" >&2; }
die() { say "FAILED: $*"; exit 1; }

as_root=()
if [ "$(id -u)" -ne 0 ]; then as_root=(sudo); fi

# --- 1. Packages (only when missing) --------------------------------------------------------
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null \
    || ! command -v munged >/dev/null || ! command -v sbatch >/dev/null; then
    say "installing slurmctld, slurmd and munge"
    # The lock timeout lets this wait for another apt-get instead of failing at once.
    "${as_root[@]}" apt-get -o DPkg::Lock::Timeout=300 update -qq
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 \
        install -y -qq --no-install-recommends slurmctld slurmd munge >/dev/null
fi
t_installed=$SECONDS

# --- 2. The binary under test ----------------------------------------------------------------
if [ -z "${CCSIM:-}" ]; then
    cargo build --release --quiet
    CCSIM=${CARGO_TARGET_DIR:-$repo/target}/release/ccsim
fi
[ -x "$CCSIM" ] || die "no ccsim binary at $CCSIM"
t_built=$SECONDS

# --- 3. A one-node cluster in a temporary folder ---------------------------------------------
# Created by root (munged refuses a key or socket in a folder another user could change); the
# jobs, which run as the user calling this script, write into jobs/, owned by that user.
dir=$("${as_root[@]}" mktemp -d /tmp/ccsim-slurm-test.XXXXXX)
"${as_root[@]}" chmod 755 "$dir"
"${as_root[@]}" mkdir -m 755 "$dir/munge" "$dir/state" "$dir/spool" "$dir/log"
"${as_root[@]}" install -d -m 755 -o "$(id -u)" -g "$(id -g)" "$dir/jobs"
daemon_pidfiles=()
jobs_submitted=()
ok=0

cleanup() {
    local rc=$?
    set +e
    if [ ${#jobs_submitted[@]} -gt 0 ] && [ "$ok" -ne 1 ]; then
        scancel "${jobs_submitted[@]}" 2>/dev/null
        # Let slurmd end the jobs' processes before it is stopped.
        for _ in $(seq 50); do [ -z "$(squeue -h 2>/dev/null)" ] && break; sleep 0.2; done
    fi
    # Stop the daemons started here, each by its own pid file and only while that pid is still
    # the daemon (a pid file outlives its process): all at once (each takes a second or two to
    # exit), then whichever still runs after 10 s by SIGKILL.
    local f pid pids=()
    ours() { [ "$(cat "/proc/$1/comm" 2>/dev/null)" = "$2" ]; }
    alive() { local f; for f in "${daemon_pidfiles[@]}"; do
        pid=$(cat "$f" 2>/dev/null) && ours "$pid" "$(basename "$f" .pid)" && return 0; done; return 1; }
    for f in "${daemon_pidfiles[@]}"; do
        pid=$(cat "$f" 2>/dev/null) && ours "$pid" "$(basename "$f" .pid)" && pids+=("$pid")
    done
    if [ ${#pids[@]} -gt 0 ]; then
        "${as_root[@]}" kill "${pids[@]}" 2>/dev/null
        for _ in $(seq 100); do alive || break; sleep 0.1; done
        for f in "${daemon_pidfiles[@]}"; do
            pid=$(cat "$f" 2>/dev/null) || continue
            ours "$pid" "$(basename "$f" .pid)" || continue
            say "$(basename "$f" .pid) ($pid) ignored SIGTERM for 10 s: killed"
            "${as_root[@]}" kill -9 "$pid"
        done
    fi
    if [ "$ok" -eq 1 ]; then
        "${as_root[@]}" rm -rf "$dir"
        say "daemons stopped; $((SECONDS - t0)) s in all"
    else
        for f in "$dir"/jobs/study/logs/*.log "$dir"/log/*.log; do
            [ -f "$f" ] || continue
            echo "----- $f" >&2
            tail -n 60 "$f" >&2
        done
        say "FAILED after $((SECONDS - t0)) s; the cluster's files are kept in $dir"
        [ "$rc" -ne 0 ] || rc=1
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Two consecutive free ports on 127.0.0.1 (a port is free when nothing answers on it).
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port=16817
while ! port_free "$port" || ! port_free $((port + 1)); do
    port=$((port + 10))
    [ "$port" -lt 17817 ] || die "no free port pair between 16817 and 17817"
done

node=$(hostname -s)
user=$(id -un)
conf=$dir/slurm.conf
"${as_root[@]}" tee "$conf" >/dev/null <<EOF
# One-node test cluster of deploy/slurm/test-on-local-cluster.sh; no accounting.
ClusterName=ccsimtest
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
ReturnToService=2
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
# Finished jobs stay visible to scontrol for an hour: with no accounting, that is where the
# test reads their final state.
MinJobAge=3600
NodeName=$node NodeAddr=127.0.0.1 CPUs=2 State=UNKNOWN
PartitionName=test Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$conf

say "starting munged, slurmctld and slurmd (ports $port, $((port + 1))) in $dir"
"${as_root[@]}" dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
"${as_root[@]}" chmod 400 "$dir/munge/munge.key"
daemon_pidfiles+=("$dir/munge/munged.pid")
"${as_root[@]}" munged --socket="$dir/munge/munge.socket" --key-file="$dir/munge/munge.key" \
    --pid-file="$dir/munge/munged.pid" --log-file="$dir/log/munged.log" \
    --seed-file="$dir/munge/munged.seed" || die "munged did not start"
daemon_pidfiles+=("$dir/slurmctld.pid")
"${as_root[@]}" env SLURM_CONF="$conf" slurmctld -i -f "$conf" || die "slurmctld did not start"
daemon_pidfiles+=("$dir/slurmd.pid")
"${as_root[@]}" env SLURM_CONF="$conf" slurmd -f "$conf" -N "$node" || die "slurmd did not start"

deadline=$((SECONDS + timeout))
until [ "$(sinfo -h -n "$node" -o %T 2>/dev/null)" = idle ]; do
    [ "$SECONDS" -lt "$deadline" ] || die "node $node not idle after $timeout s: $(sinfo 2>&1)"
    sleep 0.2
done
t_up=$SECONDS

# --- 4. The study, submitted as deploy/README.md says ----------------------------------------
# Small enough to take seconds: 3 staffing levels x 2 red thresholds x 4 replications = 24
# tasks in 3 shards. Each shard asks for 1 CPU (shard.sbatch asks for 4, more than this node
# has), through SBATCH_EXTRA as documented.
study=(--vary staffing.agents=7..9 --vary "indicator.red=60s,90s" --reps 4)
out=$dir/jobs/study
say "submitting 3 shards and the merge as $user"
submitted=$(CCSIM=$CCSIM SBATCH_EXTRA="--cpus-per-task=1" \
    deploy/slurm/submit.sh 3 "$out" scenarios/basic_chat.toml "${study[@]}") \
    || die "submit.sh failed"
echo "$submitted" >&2
array=$(sed -n 's/.*shards as job array \([0-9]*\).*/\1/p' <<<"$submitted")
merge=$(sed -n 's/.*merge as job \([0-9]*\).*/\1/p' <<<"$submitted")
if [ -z "$array" ] || [ -z "$merge" ]; then die "cannot read the job ids in: $submitted"; fi
jobs_submitted=("$array" "$merge")

# Wait for the merge; give up as soon as a shard or the merge ends in any state but COMPLETED.
state() { # job id -> the JobState of each of its jobs (one per array task), one per line
    scontrol -o show job "$1" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p'
}
jobs_summary() { # one line per job: id, array task, state, reason, times
    local j
    for j in "$array" "$merge"; do
        scontrol -o show job "$j" | awk '{ s = ""
            for (i = 1; i <= NF; i++)
                if ($i ~ /^(JobId|ArrayTaskId|JobState|Reason|ExitCode|SubmitTime|StartTime|EndTime)=/) s = s " " $i
            print "  job" s }'
    done
}
deadline=$((SECONDS + timeout))
while :; do
    bad=$( { state "$array"; state "$merge"; } | grep -Ev '^(PENDING|CONFIGURING|RUNNING|COMPLETING|COMPLETED)$' || true)
    [ -z "$bad" ] || die "a job ended ${bad//$'\n'/ }:"$'\n'"$(jobs_summary)"
    # A job pending for a reason that time will not change (asking for more than the node has,
    # say) fails the test at once rather than at the timeout.
    stuck=$( { scontrol -o show job "$array"; scontrol -o show job "$merge"; } 2>/dev/null \
        | grep -oE 'Reason=(PartitionConfig|DependencyNeverSatisfied|BadConstraints|Partition[A-Za-z]*Limit|Invalid[A-Za-z]*)' || true)
    [ -z "$stuck" ] || die "a job can never start (${stuck//$'\n'/ }):"$'\n'"$(jobs_summary)"
    [ "$(state "$merge")" != COMPLETED ] || break
    [ "$SECONDS" -lt "$deadline" ] \
        || die "the jobs did not finish within $timeout s:"$'\n'"$(jobs_summary)"
    sleep 0.2
done
shard_states=$(state "$array" | sort | uniq -c | tr -s ' ')
[ "$shard_states" = " 3 COMPLETED" ] || die "shards: $shard_states (3 COMPLETED expected)"
t_jobs=$SECONDS
jobs_summary >&2

# --- 5. The merged files against an unsharded run --------------------------------------------
whole=$dir/jobs/whole
"$CCSIM" sweep scenarios/basic_chat.toml "${study[@]}" --quiet --out "$whole"
(cd "$whole" && find . -type f | sort) >"$dir/jobs/whole.files"
(cd "$out/merged" && find . -type f | sort) >"$dir/jobs/merged.files"
diff "$dir/jobs/whole.files" "$dir/jobs/merged.files" >&2 \
    || die "the merged folder and the unsharded one hold different files"
[ -s "$dir/jobs/whole.files" ] || die "the unsharded run wrote no file"
n=0
while read -r f; do
    cmp "$whole/$f" "$out/merged/$f" >&2 || die "$f differs between merged and unsharded"
    n=$((n + 1))
done <"$dir/jobs/whole.files"
grep -q '^\./points/p0005/summary.csv$' "$dir/jobs/whole.files" \
    || die "the sweep did not write its 6 points"

ok=1
say "OK: $n files identical (merged shards vs unsharded); install $((t_installed - t0)) s," \
    "build $((t_built - t_installed)) s, cluster up $((t_up - t_built)) s," \
    "jobs $((t_jobs - t_up)) s, total $((SECONDS - t0)) s"
