#!/usr/bin/env bash
# Installs the Debian packages JobPilot needs when they are missing (as root, or with sudo).
# Each line of DEBIAN_PACKAGES is "package:probe", the probe being a command that succeeds
# when the package is already usable.
set -euo pipefail

DEBIAN_PACKAGES=(
  "python3-venv:python3 -c 'import ensurepip, venv'"
)

missing=()
for entry in "${DEBIAN_PACKAGES[@]}"; do
  package=${entry%%:*}
  probe=${entry#*:}
  if ! bash -c "$probe" >/dev/null 2>&1; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "error: missing system packages (${missing[*]}) and no apt-get to install them" >&2
  exit 1
fi
as_root=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
  else
    echo "error: need root (or sudo) to install: ${missing[*]}" >&2
    exit 1
  fi
fi
echo "Installing system packages: ${missing[*]}"
"${as_root[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
