#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh Debian 12 machine (as root) and runs all of it:
# system packages, Node 24 (and 22) into .tools/ when the machine's Node is another line, npm packages (`npm ci`),
# the builds (TypeScript, the Rust native module, and its per-platform binaries with their arm64 tests under
# qemu-user), lint, typecheck, package checks (publint, are-the-types-wrong), the consumer test on packed tarballs,
# every test on Node 24 (services such as libvirtd, moto and etcd are started by the tests' own setup), the core,
# sim, native-metrics, scheduler and controller projects again on Node 22, every example, and the API docs.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n==> %s\n' "$*"; }

step "System packages"
bash scripts/install-system-packages.sh
step "Node.js 24 (development line) and 22 (oldest supported line)"
node22_bin="$(bash scripts/node-runtime.sh 22)"
source scripts/node-runtime.sh 24
echo "node $(node --version) from $(command -v node); node $("$node22_bin/node" --version) from $node22_bin"
step "npm packages"
npm ci --no-audit --no-fund
step "Build (TypeScript packages and the Rust native module)"
npm run build
step "Cross toolchain and per-platform binaries of native-metrics (linux x64/arm64, gnu/musl)"
bash scripts/native/install-cross-toolchain.sh
bash scripts/native/build-targets.sh
step "native-metrics on arm64, under qemu-user"
bash scripts/native/test-arm64.sh
step "Lint"
npm run lint
step "Typecheck"
npm run typecheck
step "Package checks (shape: publint, are-the-types-wrong)"
npm run check-packages
step "Consumer test (behaviour: packed tarballs in fresh projects, import and require, Node 22 and 24)"
node scripts/consumer-test/run.mjs
step "API docs"
npm run docs
step "Examples"
npm run examples
step "Rust tests (native-metrics)"
(cd packages/native-metrics && cargo test --release --quiet)
step "Tests on Node 24"
node scripts/run-tests.mjs
step "Unit projects on Node 22"
PATH="$node22_bin:$PATH" node scripts/run-tests.mjs --project core --project driver-sim --project native-metrics \
  --project scheduler --project controller
