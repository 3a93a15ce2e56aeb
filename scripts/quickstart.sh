#!/usr/bin/env bash
# Installs the npm dependencies and runs the quickstart on the embedded simulated fleet (no cloud, no hypervisor).
# Brings Node 24 into .tools/ first when the machine's Node is another line (the system's Node is left alone).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/node-runtime.sh 24
npm ci --no-audit --no-fund
npx tsx examples/quickstart.ts
