#!/usr/bin/env bash
# Make a fresh Debian bookworm machine able to run WebGPU through Dawn's Node bindings.
# Dawn needs a Vulkan driver; on a machine without a GPU that is Mesa's lavapipe. Bookworm's own Mesa 22.3
# lavapipe lacks a feature Dawn requires, so lavapipe comes from bookworm-backports (Mesa 25).
# Idempotent: a machine that already has a Vulkan ICD is left alone. Then installs the npm dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."

have_vulkan_icd() {
  ls /usr/share/vulkan/icd.d/*.json >/dev/null 2>&1 && ldconfig -p | grep -q 'libvulkan\.so\.1'
}

if ! have_vulkan_icd; then
  echo "setup: no Vulkan driver found; installing lavapipe (Mesa) from bookworm-backports" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    echo 'deb http://deb.debian.org/debian bookworm-backports main' | $SUDO tee /etc/apt/sources.list.d/bookworm-backports.list >/dev/null
  fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq -t bookworm-backports mesa-vulkan-drivers libvulkan1 >/dev/null
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
