#!/usr/bin/env bash
# Refreshes the README screenshots: runs the end-to-end tests (the real app under Xvfb, on
# its built-in sample records) and copies its final screen to docs/screenshots/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
(cd ui && npx --no-install vite build --logLevel warn)
FEATURES=(--workspace --features inbox-desktop/custom-protocol)
cargo build "${FEATURES[@]}" --quiet
xvfb-run -a -s "-screen 0 1280x800x24" cargo test "${FEATURES[@]}" --test app --test review -- --include-ignored
mkdir -p docs/screenshots
cp target/e2e-screenshots/inbox_first_run.png docs/screenshots/inbox.png
cp target/e2e-screenshots/first_record_arrives.png docs/screenshots/first-record.png
cp target/e2e-screenshots/settings_endpoint_on.png docs/screenshots/settings.png
cp target/e2e-screenshots/review_screen.png docs/screenshots/review.png
cp target/e2e-screenshots/review_integrate.png docs/screenshots/review-decided.png
cp target/e2e-screenshots/audit_screen.png docs/screenshots/audit.png
cp target/e2e-screenshots/decision_dialog.png docs/screenshots/decision.png
echo "screenshot: docs/screenshots/inbox.png"
