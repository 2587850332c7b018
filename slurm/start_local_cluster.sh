#!/bin/bash
# Bring up a one-node Slurm cluster on localhost, with accounting (sacct), for tests and local use.
#
#   slurm/start_local_cluster.sh DIR      # then: source DIR/env.sh  (exports SLURM_CONF=DIR/slurm.conf)
#   slurm/stop_local_cluster.sh DIR
#
# Everything lives under DIR: its own munged (own key and socket), MariaDB (datadir, port 3307), slurmdbd,
# slurmctld and slurmd, each with a PID file, plus logs in DIR/log. No systemd and no cgroups are needed
# (proctrack/linuxproc, task/none). Idempotent: when the cluster of DIR is already up it says so and exits 0.
#
# Environment overrides: DIVE_SLURM_CTLD_PORT (6817), DIVE_SLURMD_PORT (6818), DIVE_SLURMDBD_PORT (6819),
# DIVE_SLURM_DB_PORT (3307), DIVE_SLURM_CPUS (CPUs the node advertises; default max(nproc, 4), jobs share cores),
# DIVE_SLURM_START_TIMEOUT (seconds to wait for the node to be idle, 60), DIVE_SLURM_MAX_ARRAY_SIZE (Slurm's
# MaxArraySize, default 1001 as in Slurm; the tests set it low so arrays must be split).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[ $# -ge 1 ] || { echo "usage: $0 DIR" >&2; exit 2; }
mkdir -p "$1"
D=$(cd "$1" && pwd)
export PATH="$PATH:/usr/sbin:/sbin"

CTLD_PORT=${DIVE_SLURM_CTLD_PORT:-6817}
SLURMD_PORT=${DIVE_SLURMD_PORT:-6818}
DBD_PORT=${DIVE_SLURMDBD_PORT:-6819}
DB_PORT=${DIVE_SLURM_DB_PORT:-3307}
TIMEOUT=${DIVE_SLURM_START_TIMEOUT:-60}
MAX_ARRAY_SIZE=${DIVE_SLURM_MAX_ARRAY_SIZE:-1001}
NPROC=$(nproc)
CPUS=${DIVE_SLURM_CPUS:-$(( NPROC > 4 ? NPROC : 4 ))}
ME=$(id -un)

for b in munged munge mariadbd mariadb mariadb-admin mariadb-install-db slurmdbd slurmctld slurmd sinfo sacctmgr; do
  command -v "$b" >/dev/null 2>&1 || { echo "start_local_cluster: '$b' not found; run slurm/install.sh" >&2; exit 3; }
done

alive() {  # alive PIDFILE -> 0 when the file names a running process
  [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null
}
PIDFILES=("$D/munge/munged.pid" "$D/mysql/mariadbd.pid" "$D/slurmdbd.pid" "$D/slurmctld.pid" "$D/slurmd.pid")
export SLURM_CONF="$D/slurm.conf"

all_up=1
any_up=0
for p in "${PIDFILES[@]}"; do
  if alive "$p"; then any_up=1; else all_up=0; fi
done
if [ "$all_up" = 1 ] && [ -f "$SLURM_CONF" ] && timeout 10 sinfo -h -o %T 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then
  echo "start_local_cluster: the cluster of $D is already up (SLURM_CONF=$SLURM_CONF)."
  exit 0
fi
if [ "$any_up" = 1 ]; then
  echo "start_local_cluster: the cluster of $D is partly up; stopping its daemons before a clean start." >&2
  "$HERE/stop_local_cluster.sh" "$D" >&2
fi

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for port in "$CTLD_PORT" "$SLURMD_PORT" "$DBD_PORT" "$DB_PORT"; do
  if port_busy "$port"; then
    echo "start_local_cluster: port $port on 127.0.0.1 is already in use (another local cluster? stop it with" \
      "slurm/stop_local_cluster.sh, or set DIVE_SLURM_*_PORT)" >&2
    exit 4
  fi
done

T0=$(date +%s.%N)
mkdir -p "$D"/{state,spool,log,mysql,munge}
chmod 755 "$D" "$D/munge"
rm -f "${PIDFILES[@]}"

show_logs() {
  local f
  for f in "$D"/log/{munged.log,mariadb.err,slurmdbd.log,slurmctld.log,slurmd.log}; do
    [ -f "$f" ] || continue
    echo "----- tail of $f -----" >&2
    tail -n 20 "$f" >&2
  done
}
fail() {
  echo "start_local_cluster: ERROR: $*" >&2
  show_logs
  echo "start_local_cluster: stopping what was started" >&2
  "$HERE/stop_local_cluster.sh" "$D" >&2 || true
  exit 1
}
wait_for() {  # wait_for SECONDS DESCRIPTION CMD...  (wall-clock deadline; each try is cut at 10 s)
  local secs=$1 what=$2 deadline
  shift 2
  deadline=$((SECONDS + secs))
  while ((SECONDS < deadline)); do
    timeout 10 "$@" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  fail "timed out after ${secs}s waiting for $what"
}

# --- munge: a private daemon with its own key and socket ---------------------------------------------
MUNGE_SOCK="$D/munge/munge.socket"
if [ ! -s "$D/munge/munge.key" ]; then
  (umask 077 && dd if=/dev/urandom of="$D/munge/munge.key" bs=1 count=1024 2>/dev/null)
fi
chmod 400 "$D/munge/munge.key"
munged --force --socket="$MUNGE_SOCK" --key-file="$D/munge/munge.key" --pid-file="$D/munge/munged.pid" \
  --log-file="$D/log/munged.log" --seed-file="$D/munge/munged.seed" </dev/null >>"$D/log/munged.log" 2>&1 \
  || fail "munged did not start"
wait_for 10 "munged" munge -S "$MUNGE_SOCK" -n

# --- MariaDB for slurmdbd ----------------------------------------------------------------------------
if [ ! -d "$D/mysql/data/mysql" ]; then
  rm -rf "$D/mysql/data"
  mariadb-install-db --no-defaults --datadir="$D/mysql/data" --user="$ME" --skip-test-db \
    >"$D/log/mariadb-install.log" 2>&1 || fail "mariadb-install-db failed"
fi
setsid mariadbd --no-defaults --datadir="$D/mysql/data" --socket="$D/mysql/mariadb.sock" --port="$DB_PORT" \
  --bind-address=127.0.0.1 --user="$ME" --pid-file="$D/mysql/mariadbd.pid" --log-error="$D/log/mariadb.err" \
  --innodb-buffer-pool-size=64M --skip-name-resolve </dev/null >>"$D/log/mariadb.err" 2>&1 &
wait_for 30 "MariaDB" mariadb-admin --no-defaults --socket="$D/mysql/mariadb.sock" -u "$ME" ping
mariadb --no-defaults --socket="$D/mysql/mariadb.sock" -u "$ME" -e \
  "CREATE USER IF NOT EXISTS 'slurm'@'127.0.0.1' IDENTIFIED BY 'slurmpw';
   GRANT ALL ON slurm_acct_db.* TO 'slurm'@'127.0.0.1';" || fail "could not create the slurm database user"

# --- configs -----------------------------------------------------------------------------------------
MEM=$(( $(awk '/MemTotal/{print $2}' /proc/meminfo) / 1024 - 2048 ))
[ "$MEM" -ge 512 ] || MEM=512
AUTHINFO="socket=$MUNGE_SOCK,cred_expire=10"

cat >"$D/slurmdbd.conf" <<EOF
AuthType=auth/munge
AuthInfo=socket=$MUNGE_SOCK
DbdHost=localhost
DbdPort=$DBD_PORT
SlurmUser=$ME
LogFile=$D/log/slurmdbd.log
PidFile=$D/slurmdbd.pid
StorageType=accounting_storage/mysql
StorageHost=127.0.0.1
StoragePort=$DB_PORT
StorageUser=slurm
StoragePass=slurmpw
StorageLoc=slurm_acct_db
EOF
chmod 600 "$D/slurmdbd.conf"

# CR_CPU: memory is not a consumable resource, so jobs without --mem do not take the whole node.
# cred_expire=10: a requeued job may start again after 10 s instead of 120 s. KillWait=5: fast cancels.
# config_overrides: the node may advertise more CPUs than it has (jobs share cores; fine for tests).
cat >"$D/slurm.conf" <<EOF
ClusterName=local
SlurmctldHost=localhost
SlurmUser=$ME
SlurmdUser=$ME
AuthType=auth/munge
CredType=cred/munge
AuthInfo=$AUTHINFO
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=localhost
AccountingStoragePort=$DBD_PORT
AccountingStoragePass=$MUNGE_SOCK
JobAcctGatherType=jobacct_gather/linux
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SlurmdParameters=config_overrides
ReturnToService=2
KillWait=5
MaxArraySize=$MAX_ARRAY_SIZE
MailProg=/bin/true
StateSaveLocation=$D/state
SlurmdSpoolDir=$D/spool
SlurmctldPidFile=$D/slurmctld.pid
SlurmdPidFile=$D/slurmd.pid
SlurmctldLogFile=$D/log/slurmctld.log
SlurmdLogFile=$D/log/slurmd.log
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=$MEM State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
printf 'export SLURM_CONF=%q\n' "$SLURM_CONF" >"$D/env.sh"

# --- slurmdbd, slurmctld, slurmd ---------------------------------------------------------------------
slurmdbd </dev/null >>"$D/log/slurmdbd.log" 2>&1 || fail "slurmdbd did not start"
wait_for 30 "slurmdbd" sacctmgr -n show cluster
if ! sacctmgr -n -P show cluster format=cluster 2>/dev/null | grep -qx local; then
  sacctmgr -i add cluster local >/dev/null 2>&1 || fail "sacctmgr add cluster failed"
fi
slurmctld </dev/null >>"$D/log/slurmctld.log" 2>&1 || fail "slurmctld did not start"
slurmd -N localhost </dev/null >>"$D/log/slurmd.log" 2>&1 || fail "slurmd did not start"

wait_for "$TIMEOUT" "the node to become idle in sinfo" bash -c "sinfo -h -n localhost -o %T | grep -qE '^(idle|mixed|allocated)\$'"
for p in "${PIDFILES[@]}"; do
  alive "$p" || fail "daemon of $p is not running"
done

T1=$(date +%s.%N)
sinfo
printf 'start_local_cluster: up in %.1f s. PIDs: munged=%s mariadbd=%s slurmdbd=%s slurmctld=%s slurmd=%s\n' \
  "$(awk -v a="$T0" -v b="$T1" 'BEGIN{print b - a}')" "$(cat "$D/munge/munged.pid")" "$(cat "$D/mysql/mariadbd.pid")" \
  "$(cat "$D/slurmdbd.pid")" "$(cat "$D/slurmctld.pid")" "$(cat "$D/slurmd.pid")"
echo "start_local_cluster: source $D/env.sh  (SLURM_CONF=$SLURM_CONF)"
