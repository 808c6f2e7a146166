#!/usr/bin/env bash
# Sets up what is missing and runs every check: UI lint, types, tests and build; Rust format, clippy,
# unit and integration tests (including the TypeScript bindings drift check); end-to-end tests of the
# real app under Xvfb.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never
scripts/setup.sh --test

step() { echo; echo "==> $*"; }

step "UI: lint and format (biome)"
(cd ui && npx --no-install biome ci --error-on-warnings .)
step "UI: type check (tsc, strict)"
(cd ui && npx --no-install tsc --noEmit)
step "UI: unit tests (vitest)"
(cd ui && npx --no-install vitest run)
step "UI: build"
(cd ui && npx --no-install vite build --logLevel warn)

FEATURES=(--workspace --features inbox-desktop/custom-protocol)
step "Rust: format"
cargo fmt --all --check
step "Rust: clippy"
cargo clippy "${FEATURES[@]}" --all-targets --quiet -- -D warnings
step "Rust: build (the app with its UI embedded)"
cargo build "${FEATURES[@]}" --quiet
step "Rust: tests, bindings drift, end-to-end (tauri-driver + WebKitWebDriver under Xvfb)"
xvfb-run -a -s "-screen 0 1280x800x24" cargo test "${FEATURES[@]}" -- --include-ignored
