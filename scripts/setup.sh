#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine lacks to build, run and test GP2GP Inbox. Idempotent and
# quiet when everything is already there; uses sudo only when not root.
#   scripts/setup.sh          build + run dependencies
#   scripts/setup.sh --test   also the test dependencies (Xvfb, WebKitWebDriver, tauri-driver)
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[[ "${1:-}" == "--test" ]] && want_test=1

SUDO=""
if [[ "$(id -u)" -ne 0 ]]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive

# Tauri v2 on Linux (webkit2gtk 4.1, GTK 3) plus a C toolchain for bundled SQLite.
APT_BUILD=(build-essential pkg-config file libssl-dev libgtk-3-dev libwebkit2gtk-4.1-dev
  libjavascriptcoregtk-4.1-dev libsoup-3.0-dev libayatana-appindicator3-dev librsvg2-dev libxdo-dev xdg-utils)
APT_TEST=(xvfb xauth webkit2gtk-driver)

packages=("${APT_BUILD[@]}")
if ((want_test)); then packages+=("${APT_TEST[@]}"); fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing system packages: ${missing[*]}"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

for tool in cargo node npm; do
  command -v "$tool" >/dev/null || { echo "setup: $tool is required but not installed" >&2; exit 1; }
done
node_major=$(node -p 'process.versions.node.split(".")[0]')
if ((node_major < 20)); then
  echo "setup: Node.js 20.19 or newer is required (found $(node --version))" >&2
  exit 1
fi

if ((want_test)) && ! command -v tauri-driver >/dev/null; then
  echo "setup: installing tauri-driver"
  cargo install tauri-driver --version 2.1.0 --locked --quiet
fi

# Node modules, reinstalled only when the lockfile changed.
lock_hash=$(sha256sum ui/package-lock.json | cut -d' ' -f1)
if [[ ! -d ui/node_modules || "$(cat ui/node_modules/.lock-hash 2>/dev/null)" != "$lock_hash" ]]; then
  echo "setup: installing UI packages (npm ci)"
  (cd ui && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  echo "$lock_hash" > ui/node_modules/.lock-hash
fi
