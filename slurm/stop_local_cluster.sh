#!/bin/bash
# Stop the local cluster started by slurm/start_local_cluster.sh DIR: cancel its jobs, then stop slurmd,
# slurmctld, slurmdbd, MariaDB and munged by their PID files in DIR (only processes whose name matches).
# Safe to run twice or on a cluster that is only partly up. DIR (configs, state, logs, database) is kept.
set -euo pipefail

[ $# -ge 1 ] || { echo "usage: $0 DIR" >&2; exit 2; }
[ -d "$1" ] || { echo "stop_local_cluster: $1 does not exist; nothing to stop"; exit 0; }
D=$(cd "$1" && pwd)
export PATH="$PATH:/usr/sbin:/sbin"
export SLURM_CONF="$D/slurm.conf"

pid_of() {  # pid_of PIDFILE COMM -> prints the PID when it is alive and its command name is COMM
  local pid
  [ -s "$1" ] || return 1
  pid=$(tr -dc '0-9' <"$1")
  [ -n "$pid" ] && running "$pid" || return 1
  [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$2" ] || return 1
  echo "$pid"
}

running() {  # running PID -> 0 when alive and not a zombie (reaping by PID 1 can lag by seconds)
  local state
  state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
  [ -n "$state" ] && [ "$state" != Z ]
}

stop_pid() {  # stop_pid PID NAME SECONDS: SIGTERM, wait, then SIGKILL
  local pid=$1 name=$2 secs=$3 i
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < secs * 10; i++)); do
    running "$pid" || { echo "stop_local_cluster: stopped $name (pid $pid)"; return 0; }
    sleep 0.1
  done
  echo "stop_local_cluster: $name (pid $pid) ignored SIGTERM for ${secs}s; sending SIGKILL" >&2
  kill -KILL "$pid" 2>/dev/null || true
  sleep 0.2
}

stop_daemon() {  # stop_daemon PIDFILE COMM SECONDS
  local pid
  if pid=$(pid_of "$1" "$2"); then
    stop_pid "$pid" "$2" "$3"
  fi
  rm -f "$1"
}

descendants() {  # all descendants of PID (children first found via /proc/*/stat)
  local parent=$1 pid
  for pid in $(awk -v p="$parent" '$4 == p {print $1}' /proc/[0-9]*/stat 2>/dev/null); do
    echo "$pid"
    descendants "$pid"
  done
}

# 1. Cancel the jobs while slurmctld is still there, so that Slurm ends them cleanly.
if pid_of "$D/slurmctld.pid" slurmctld >/dev/null && [ -f "$SLURM_CONF" ]; then
  jobs=$(squeue -h -o %A 2>/dev/null || true)
  if [ -n "$jobs" ]; then
    echo "stop_local_cluster: cancelling jobs: $(echo "$jobs" | tr '\n' ' ')"
    # shellcheck disable=SC2086
    scancel $jobs 2>/dev/null || true
    for ((i = 0; i < 150; i++)); do
      [ -z "$(squeue -h -o %A 2>/dev/null || true)" ] && break
      sleep 0.1
    done
  fi
fi

# 2. Slurm daemons.
stop_daemon "$D/slurmd.pid" slurmd 15
stop_daemon "$D/slurmctld.pid" slurmctld 15
stop_daemon "$D/slurmdbd.pid" slurmdbd 15

# 3. Safety net: job step daemons of this cluster left behind (their environment names this SLURM_CONF).
for f in /proc/[0-9]*/environ; do
  pid=${f#/proc/}
  pid=${pid%/environ}
  [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = slurmstepd ] || continue
  tr '\0' '\n' <"$f" 2>/dev/null | grep -qxF "SLURM_CONF=$SLURM_CONF" || continue
  for p in $(descendants "$pid") "$pid"; do
    echo "stop_local_cluster: killing leftover job process $p ($(cat "/proc/$p/comm" 2>/dev/null || echo '?'))" >&2
    kill -KILL "$p" 2>/dev/null || true
  done
done

# 4. MariaDB and munged.
stop_daemon "$D/mysql/mariadbd.pid" mariadbd 30
stop_daemon "$D/munge/munged.pid" munged 10
echo "stop_local_cluster: the cluster of $D is stopped."
