#!/usr/bin/env bash
# One-step setup from a fresh clone: system packages (as root), npm packages + native build, Kafka jars.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-system.sh
npm ci --no-audit --no-fund
node dist/cli/main.js broker fetch
