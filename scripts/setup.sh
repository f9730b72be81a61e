#!/usr/bin/env bash
# Make a fresh Debian bookworm machine able to run the project: npm dependencies, then a WebGPU adapter.
# Dawn needs a Vulkan driver; on a machine without a GPU that is Mesa's lavapipe. Bookworm's own Mesa 22.3
# lavapipe lacks a feature Dawn requires, so lavapipe comes from bookworm-backports (Mesa 25).
# Idempotent: a machine on which Dawn already finds an adapter is left alone.
#
#   bash scripts/setup.sh          what the commands need (npm packages, a WebGPU adapter)
#   bash scripts/setup.sh --test   also what the tests need: Chromium (the report test), Slurm and munge (the
#                                  one-node cluster of the sweep test), numpy and PyTorch (the Python loader test)
set -euo pipefail
for_tests=false
case "${1:-}" in
  --test) for_tests=true ;;
  "") ;;
  *) echo "usage: bash scripts/setup.sh [--test]" >&2; exit 2 ;;
esac
cd "$(dirname "$0")/.."
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp}"

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

# Ask Dawn itself, so a too-old driver counts as no adapter.
has_adapter() {
  node --input-type=module -e "
    import { create, globals } from 'webgpu';
    Object.assign(globalThis, globals);
    const adapter = await create([]).requestAdapter();
    process.exit(adapter ? 0 : 1);" >/dev/null 2>&1
}

if ! has_adapter; then
  echo "setup: Dawn finds no WebGPU adapter; installing lavapipe (Mesa) from bookworm-backports" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    echo 'deb http://deb.debian.org/debian bookworm-backports main' | $SUDO tee /etc/apt/sources.list.d/bookworm-backports.list >/dev/null
  fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq -t bookworm-backports mesa-vulkan-drivers libvulkan1 >/dev/null
  has_adapter || { echo "setup: still no WebGPU adapter after installing lavapipe" >&2; exit 1; }
fi

if $for_tests; then
  TEST_PKGS=(chromium slurm-wlm munge python3-numpy python3-torch)
  missing=()
  for p in "${TEST_PKGS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
  done
  if ((${#missing[@]})); then
    echo "setup: installing what the tests need: ${missing[*]}" >&2
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi
