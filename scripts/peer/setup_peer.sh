#!/usr/bin/env bash
# Installs what the PyTorch peer benchmark (issue 6) needs on Debian bookworm, idempotently: Debian's
# python3-torch, and OpenBLAS, without which Debian's torch falls back to the reference BLAS (a canonical
# step ~780 ms instead of ~28 ms on one thread). Only the benchmark calls this; the test suite does not.
# Ends by printing the interpreter, torch's version and the BLAS torch's matmul really resolves to.
set -euo pipefail

PY=/usr/bin/python3 # python3-torch installs into Debian's interpreter, not a pyenv one that may shadow it
PKGS=(python3-torch libopenblas0-pthread)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
done

if ((${#missing[@]})); then
  SUDO=()
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "setup_peer: need root (or sudo) to install ${missing[*]}" >&2; exit 1; }
    SUDO=(sudo -n)
  fi
  echo "setup_peer: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  "${SUDO[@]}" apt-get update -qq >&2
  "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

# One JSON line: interpreter, torch version, threads and the BLAS the process really maps; exits non-zero
# unless that is OpenBLAS.
exec "$PY" "$(dirname "$0")/train_torch.py" --check
