#!/usr/bin/env bash
# Installs the Debian packages JobPilot needs when they are missing (as root, or with sudo).
# Each line of DEBIAN_PACKAGES is "package:probe", the probe being a command that succeeds
# when the package is already usable.
set -euo pipefail

DEBIAN_PACKAGES=(
  "python3-venv:python3 -c 'import ensurepip, venv'"
  # WeasyPrint (resume PDFs) renders text with Pango; DejaVu is the templates' fallback font.
  "libpango-1.0-0:ldconfig -p | grep -q 'libpango-1.0.so.0'"
  "libpangoft2-1.0-0:ldconfig -p | grep -q 'libpangoft2-1.0.so.0'"
  "fonts-dejavu-core:test -d /usr/share/fonts/truetype/dejavu"
  # Font subsetting for PDFs (without it WeasyPrint falls back to a slower pure-Python path).
  "libharfbuzz-subset0:ldconfig -p | grep -q 'libharfbuzz-subset.so.0'"
  # Auto-apply fills hosted application forms in headless Chromium (driven by Playwright).
  "chromium:command -v chromium"
  # The gateway benchmark's load generator.
  "wrk:command -v wrk"
  # The gateway's shared rate limits and the tests that stop Redis mid-run.
  "redis-server:command -v redis-server"
  # `make ops-check`: promtool checks and unit-tests the alert rules, amtool the Alertmanager
  # config and routes (Debian's packages also install a systemd unit each, enabled by default).
  "prometheus:command -v promtool"
  "prometheus-alertmanager:command -v amtool"
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
