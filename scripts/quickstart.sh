#!/usr/bin/env bash
# Installs the npm dependencies and runs the quickstart on the embedded simulated fleet (no cloud, no hypervisor).
set -euo pipefail
cd "$(dirname "$0")/.."
# `npm install`, not `npm ci`: npm 11 leaves other platforms' optional packages (biome, rollup) out of the lock file
# and `npm ci` then refuses the lock as out of sync.
npm install --no-audit --no-fund
npx tsx examples/quickstart.ts
