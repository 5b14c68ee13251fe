#!/usr/bin/env bash
# Builds the Raspberry Pi bundle: the edge CLI published for linux-arm64, self-contained (the Pi needs no .NET), with the
# shipped int8 models, the systemd unit and its settings, in one tarball.
#   bash tools/deploy/build-bundle.sh [OUT_DIR]        → OUT_DIR/edge-linux-arm64.tar.gz (default: artifacts/)
# Not trimmed: the CLI's commands (System.CommandLine, Spectre.Console, JSON reports) use reflection the trimmer
# cannot follow; the bundle is about 40 MB compressed.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
out="${1:-$repo/artifacts}"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
mkdir -p "$out" "$stage/edge/bin" "$stage/edge/models"

dotnet publish "$repo/tools/Edge.Cli/Edge.Cli.csproj" -c Release -r linux-arm64 --self-contained true \
  -p:PublishSingleFile=false -p:InvariantGlobalization=true -nologo -v q -o "$stage/edge/bin"

cp "$repo"/firmware-models/*.edge "$stage/edge/models/"
cp "$repo/tools/deploy/edge-camera.service" "$repo/tools/deploy/edge-camera.env" "$repo/tools/deploy/install-on-pi.sh" "$stage/edge/"
cp "$repo/docs/raspberry-pi.md" "$stage/edge/README.md"
tar -C "$stage" -czf "$out/edge-linux-arm64.tar.gz" edge
echo "$out/edge-linux-arm64.tar.gz ($(du -h "$out/edge-linux-arm64.tar.gz" | cut -f1))"
