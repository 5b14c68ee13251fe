#!/usr/bin/env bash
# The camera pipeline as the Pi runs it, on this x86 machine: publishes edge for linux-arm64 (self-contained), renders a
# 640×480 clip of shipped Fashion-MNIST test images scaled ×16 onto a textured background, and runs
#   edge camera --source ffmpeg:"-re -framerate 2 -i frame%03d.pgm" --frames N --json
# natively and under qemu-aarch64-static with QEMU_CPU=cortex-a72 (the Pi 4's core; set QEMU_CPU=cortex-a76 for a Pi 5).
# The native run must predict every frame; the emulated one (its first frames run while the JIT warms up under
# emulation, slower than 2 fps, so the live source drops a few) at least half, and every frame both predicted must get
# the same class. Needs ffmpeg, python3, qemu-user-static and the arm64 cross libc.
#   bash tools/deploy/qemu-camera-check.sh [FRAMES]      (default 24; -re paces ffmpeg at 2 fps)
# EDGE_ARM64_DIR=DIR reuses a linux-arm64 publish in DIR (made when missing).
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
frames="${1:-24}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
model="$repo/firmware-models/lenet5-fashion.edge"
arm64="${EDGE_ARM64_DIR:-$work/arm64}"

if [ ! -x "$arm64/edge" ]; then
  echo "== publish linux-arm64"
  dotnet publish "$repo/tools/Edge.Cli/Edge.Cli.csproj" -c Release -r linux-arm64 --self-contained true -p:InvariantGlobalization=true \
    -nologo -v q -o "$arm64"
fi
dotnet build "$repo/tools/Edge.Cli/Edge.Cli.csproj" -c Release -nologo -v q
native="$repo/tools/Edge.Cli/bin/Release/net10.0/edge"

echo "== render $frames stills"
python3 - "$repo/firmware-models/data/fashion-test-images-idx3-ubyte.gz" "$work" "$frames" <<'PY'
import gzip, struct, sys
src, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
data = gzip.open(src).read()
count, rows, cols = struct.unpack('>III', data[4:16])
W, H, S = 640, 480, 16
x0, y0 = (W - 28 * S) // 2, (H - 28 * S) // 2
for i in range(n):
    img = data[16 + i * 784: 16 + (i + 1) * 784]
    still = bytearray(((x >> 3) ^ (y >> 3)) % 24 for y in range(H) for x in range(W))
    for y in range(28 * S):
        for x in range(28 * S):
            p = img[(y // S) * 28 + x // S]
            if p: still[(y0 + y) * W + x0 + x] = p
    with open(f"{out}/frame{i:03d}.pgm", "wb") as f:
        f.write(b"P5\n640 480\n255\n" + bytes(still))
PY

run() { "$@" camera --model "$model" --source "ffmpeg:-re -framerate 2 -i $work/frame%03d.pgm" --frames "$frames" --json --stats 2; }
echo "== native"
run "$native" > "$work/native.jsonl"
echo "== linux-arm64 under qemu (QEMU_CPU=${QEMU_CPU:-cortex-a72})"
QEMU_LD_PREFIX=/usr/aarch64-linux-gnu DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 DOTNET_EnableWriteXorExecute=0 QEMU_CPU="${QEMU_CPU:-cortex-a72}" \
  run qemu-aarch64-static "$arm64/edge" > "$work/arm64.jsonl"

python3 - "$work/native.jsonl" "$work/arm64.jsonl" "$frames" <<'PY'
import json, sys
a = [json.loads(l) for l in open(sys.argv[1])]
b = [json.loads(l) for l in open(sys.argv[2])]
n = int(sys.argv[3])
pa = {p["frame"]: p["class"] for p in a}
pb = {p["frame"]: p["class"] for p in b}
print(f"native: {len(a)} predictions, arm64: {len(b)}")
print("classes:", " ".join(str(pa.get(i, "-")) for i in range(n)))
print("arm64:  ", " ".join(str(pb.get(i, "-")) for i in range(n)))
assert len(a) == n, f"the native run predicted {len(a)} of {n} frames"
assert len(b) >= n // 2, f"the emulated run predicted only {len(b)} of {n} frames"
common = sorted(set(pa) & set(pb))
bad = [i for i in common if pa[i] != pb[i]]
assert not bad, f"frames {bad} differ: native {[pa[i] for i in bad]}, arm64 {[pb[i] for i in bad]}"
print(f"same class for all {len(common)} frames both predicted ({len(b)} of {n} under qemu)")
PY
