#!/usr/bin/env bash
# Sets up what is missing, builds GP2GP Inbox and starts it. With nothing configured it opens the
# training inbox (synthetic records): sign in with any training profile, PIN 1234.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
(cd ui && npx --no-install vite build --logLevel warn)
# One feature set for build and test, so neither rebuilds the other's Tauri crates.
cargo build --workspace --features inbox-desktop/custom-protocol
target_dir=${CARGO_TARGET_DIR:-target}
if [[ -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" ]]; then
  echo "run: no display found. Start the app from a desktop session, or under Xvfb:" >&2
  echo "     xvfb-run -a -s '-screen 0 1280x800x24' $target_dir/debug/gp2gp-inbox-desktop" >&2
  exit 1
fi
exec "$target_dir/debug/gp2gp-inbox-desktop"
