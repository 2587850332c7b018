#!/bin/bash
# Install the Slurm + munge + slurmdbd + MariaDB packages needed by slurm/start_local_cluster.sh (Debian/Ubuntu).
# Idempotent: does nothing when all binaries are already on PATH. Uses sudo when not run as root.
set -euo pipefail

BINARIES=(slurmctld slurmd slurmdbd srun sbatch sinfo squeue sacct sacctmgr scontrol scancel
  munged munge mariadbd mariadb mariadb-admin mariadb-install-db)
PACKAGES=(slurm-wlm munge slurmdbd mariadb-server)

missing=()
for b in "${BINARIES[@]}"; do
  command -v "$b" >/dev/null 2>&1 || PATH="$PATH:/usr/sbin:/sbin" command -v "$b" >/dev/null 2>&1 || missing+=("$b")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install.sh: Slurm, munge, slurmdbd and MariaDB are already installed; nothing to do."
  exit 0
fi
echo "install.sh: missing binaries: ${missing[*]}; installing ${PACKAGES[*]}"

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "install.sh: not root and no sudo available" >&2; exit 1; }
  SUDO=(sudo)
fi

apt_run() {
  # Retry once when another apt/dpkg process holds the lock.
  local attempt
  for attempt in 1 2; do
    if "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=120 "$@"; then
      return 0
    fi
    if [ "$attempt" -eq 1 ]; then
      echo "install.sh: apt-get $1 failed (dpkg lock held?); retrying once in 15 s" >&2
      sleep 15
    fi
  done
  return 1
}

# Keep the packages' postinst scripts from starting system-wide services (system munged, MariaDB on 3306,
# slurmctld/slurmd without a config): the local cluster starts its own daemons. Only when no policy exists.
POLICY=/usr/sbin/policy-rc.d
if [ ! -e "$POLICY" ]; then
  printf '#!/bin/sh\nexit 101\n' | "${SUDO[@]}" tee "$POLICY" >/dev/null
  "${SUDO[@]}" chmod 755 "$POLICY"
  trap '"${SUDO[@]}" rm -f "$POLICY"' EXIT
fi

apt_run update
apt_run install -y "${PACKAGES[@]}"
echo "install.sh: done."
