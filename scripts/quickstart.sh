#!/usr/bin/env bash
# Installs the npm dependencies and runs the quickstart on the embedded simulated fleet (no cloud, no hypervisor).
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund
npx tsx examples/quickstart.ts
