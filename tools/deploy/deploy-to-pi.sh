#!/usr/bin/env bash
# One step from this machine to a Pi: build the bundle, copy it over SSH, install and start the service.
#   bash tools/deploy/deploy-to-pi.sh pi@raspberrypi.local [SSH options…]
# The Pi user needs sudo. Re-running upgrades in place and keeps /etc/edge/edge-camera.env.
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 USER@HOST [ssh options]" >&2; exit 2; }
target="$1"; shift
repo="$(cd "$(dirname "$0")/../.." && pwd)"
bash "$repo/tools/deploy/build-bundle.sh" "$repo/artifacts"
scp "$@" "$repo/artifacts/edge-linux-arm64.tar.gz" "$target:/tmp/edge-linux-arm64.tar.gz"
ssh "$@" "$target" 'set -e; rm -rf /tmp/edge-bundle; mkdir -p /tmp/edge-bundle; tar -C /tmp/edge-bundle -xzf /tmp/edge-linux-arm64.tar.gz; sudo bash /tmp/edge-bundle/edge/install-on-pi.sh'
