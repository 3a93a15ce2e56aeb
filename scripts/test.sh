#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh Debian 12 machine (as root) and runs all of it:
# system packages, npm packages, the builds (TypeScript and the Rust native module), lint, typecheck, package
# checks (publint, are-the-types-wrong), every test (services are started by the tests' own setup), every example,
# and the API docs.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n==> %s\n' "$*"; }

step "System packages"
bash scripts/install-system-packages.sh
step "npm packages"
# `npm install`, not `npm ci`: npm 11 leaves other platforms' optional packages (biome, rollup) out of the lock file
# and `npm ci` then refuses the lock as out of sync.
npm install --no-audit --no-fund
step "Build (TypeScript packages and the Rust native module)"
npm run build
step "Lint"
npm run lint
step "Typecheck"
npm run typecheck
step "Package checks"
npm run check-packages
step "API docs"
npm run docs
step "Examples"
npm run examples
step "Rust tests (native-metrics)"
(cd packages/native-metrics && cargo test --release --quiet)
step "Tests"
node scripts/run-tests.mjs
