#!/bin/bash
# Runs a sharded sweep on a real scheduler: installs Debian's slurm-wlm (slurmctld + slurmd +
# munge) as a one-node cluster on this machine, submits Tests/cluster/sweep.yaml as a 3-task
# array job with Tests/cluster/sweep.sbatch, waits, merges the shards with `canary merge`, runs
# the same sweep unsharded, and checks that both give exactly the same runs and digests.
#
#   sudo bash Tests/cluster/slurm-sweep.sh          # from the repository root
#
# Needs root (it installs packages and starts daemons) and a Debian-like system; it is not part
# of CI (it takes about a minute plus the package install and the release build). It refuses to
# touch a Slurm configuration it did not write, and stops the daemons it started (by pid) at
# the end. CANARY=path/to/canary skips the release build.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
START=$(date +%s)
log() { echo "[$(( $(date +%s) - START ))s] $*"; }
[ "$(id -u)" = 0 ] || { echo "run as root (it installs slurm-wlm and starts slurmctld, slurmd, munged)"; exit 2; }

# 1. Slurm on localhost (see docs/sweeps.md, "Testing on a one-node Slurm").
MARK="# written by canary Tests/cluster/slurm-sweep.sh"
if [ -f /etc/slurm/slurm.conf ] && ! grep -qF "$MARK" /etc/slurm/slurm.conf; then
  echo "/etc/slurm/slurm.conf exists and was not written by this script; not touching it"; exit 2
fi
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null || ! command -v sqlite3 >/dev/null; then
  log "installing slurm-wlm, munge, sqlite3"
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends slurm-wlm munge sqlite3 >/dev/null
fi
H=$(hostname -s)
mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm /run/munge
chown munge:munge /run/munge
[ -f /etc/munge/munge.key ] || mungekey -c
chown munge:munge /etc/munge/munge.key; chmod 400 /etc/munge/munge.key
cat > /etc/slurm/slurm.conf <<CONF
$MARK
ClusterName=canary-test
SlurmctldHost=$H
SlurmUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
SlurmctldPidFile=/run/canary-slurmctld.pid
SlurmdPidFile=/run/canary-slurmd.pid
ReturnToService=2
NodeName=$H CPUs=$(nproc) State=UNKNOWN
PartitionName=debug Nodes=$H Default=YES MaxTime=INFINITE State=UP
CONF
printf 'CgroupPlugin=cgroup/v1\nCgroupAutomount=no\n' > /etc/slurm/cgroup.conf

PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  # Wait for them to exit (slurmctld takes a moment), so nothing of this test outlives it.
  for _ in $(seq 50); do
    alive=0; for p in "${PIDS[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ $alive = 0 ] && break; sleep 0.2
  done
}
trap cleanup EXIT
if ! pgrep -x munged >/dev/null; then
  su -s /bin/sh munge -c "/usr/sbin/munged --pid-file=/run/munge/canary-munged.pid"
  sleep 1; PIDS+=("$(cat /run/munge/canary-munged.pid)")
fi
rm -f /run/canary-slurmctld.pid /run/canary-slurmd.pid   # a stale pid file would name another process
slurmctld; slurmd
for _ in $(seq 50); do [ -s /run/canary-slurmctld.pid ] && [ -s /run/canary-slurmd.pid ] && break; sleep 0.2; done
PIDS=("$(cat /run/canary-slurmd.pid)" "$(cat /run/canary-slurmctld.pid)" "${PIDS[@]}")
for _ in $(seq 60); do sinfo -h -o %t 2>/dev/null | grep -q idle && break; sleep 1; done
sinfo -h -o %t | grep -q idle || { echo "the Slurm node did not become idle; see /var/log/slurm/"; exit 1; }
log "slurm up: $(sinfo -h -o '%P %D %t %C')"

# 2. canary (release).
if [ -z "${CANARY:-}" ]; then
  log "building canary (release)"
  swift build -c release --product canary >/dev/null
  CANARY="$ROOT/.build/release/canary"
fi
WORK=$(mktemp -d /tmp/canary-slurm-XXXXXX)

# 3. The sharded sweep as an array job (3 tasks, 1 worker each), then the merge.
log "submitting Tests/cluster/sweep.yaml as a 3-task array job"
T0=$(date +%s)
JOB=$(CANARY="$CANARY" SWEEP="$ROOT/Tests/cluster/sweep.yaml" RESULTS="$WORK/shards" \
      sbatch --parsable --wait --array=0-2 --cpus-per-task=1 --output="$WORK/task-%A_%a.log" \
      --chdir="$WORK" --export=ALL "$ROOT/Tests/cluster/sweep.sbatch") || { cat "$WORK"/task-*.log; echo "array job failed"; exit 1; }
T1=$(date +%s)
log "array job $JOB done in $((T1 - T0)) s"
grep -h "shard" "$WORK"/task-*.log | sed 's/^/  /'
"$CANARY" merge "$WORK/sharded.sqlite" "$WORK"/shards/*.sqlite

# 4. The same sweep unsharded, locally, and the comparison.
log "running the same sweep unsharded"
"$CANARY" sweep "$ROOT/Tests/cluster/sweep.yaml" --jobs 2 --db "$WORK/whole" >/dev/null
"$CANARY" merge "$WORK/whole.sqlite" "$WORK"/whole/*.sqlite >/dev/null
Q="SELECT r.id, p.label, p.seed, r.status, r.digest FROM runs r JOIN sweep_points p ON p.run_id = r.id ORDER BY r.id"
sqlite3 "$WORK/sharded.sqlite" "$Q" > "$WORK/sharded.txt"
sqlite3 "$WORK/whole.sqlite" "$Q" > "$WORK/whole.txt"
N=$(wc -l < "$WORK/sharded.txt")
if [ "$N" -eq 12 ] && cmp -s "$WORK/sharded.txt" "$WORK/whole.txt"; then
  log "PASS: the 3 Slurm shards merged give exactly the 12 runs and digests of the unsharded sweep (array job $((T1 - T0)) s, total $(( $(date +%s) - START )) s)"
  rm -rf "$WORK"
else
  diff "$WORK/whole.txt" "$WORK/sharded.txt" || true
  log "FAIL: $N runs; sharded and unsharded differ (kept in $WORK)"
  exit 1
fi
