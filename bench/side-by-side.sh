#!/usr/bin/env bash
# Edge int8 against the engines a user would pick instead, in one session: each round runs the BenchmarkDotNet side-by-side
# (Edge int8 and ONNX Runtime fp32: `Edge.Benchmarks peers`) and bench/pytorch_int8.py (PyTorch int8, onednn and qnnpack),
# alternating which goes first, so a load that comes and goes on a shared machine spreads over all engines alike. Prints one
# markdown table per thread count with the median over the rounds of each engine's figure (the p50 of single runs on both
# sides: BenchmarkDotNet's median of one-run iterations; PyTorch's p50) and ratio = min(ORT fp32, PyTorch oneDNN int8) / Edge int8.
#
#   bench/side-by-side.sh [-r ROUNDS] [-t "1 2"] [-m MODEL,MODEL] [-i BDN_ITERATIONS] [-s PYTORCH_SECONDS] [-o DIR]
#
# Models: bench/peer-models.json (default: every one whose ONNX file is present; absent ones are listed with the command
# that makes them, e.g. /usr/bin/python3 tools/train/resnet18.py). Without /usr/bin/python3 + torch the PyTorch columns
# are "–" and the ratio is against ONNX Runtime alone (said at the end). Raw rows stay in DIR (default: a temporary folder).
# Example (the baseline of bench/RESULTS.md):
#   bench/side-by-side.sh -r 5 -t 1 -m lenet5-fashion,mobilenet-fashion,mobilenetv2-224,resnet18-224
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=3
threads="1 2"
models=""
iterations=100
seconds=3
out=""
while getopts "r:t:m:i:s:o:" opt; do
  case $opt in
    r) rounds=$OPTARG ;;
    t) threads=$OPTARG ;;
    m) models=$OPTARG ;;
    i) iterations=$OPTARG ;;
    s) seconds=$OPTARG ;;
    o) out=$OPTARG ;;
    *) echo "usage: $0 [-r ROUNDS] [-t \"1 2\"] [-m MODEL,MODEL] [-i BDN_ITERATIONS] [-s PYTORCH_SECONDS] [-o DIR]" >&2; exit 2 ;;
  esac
done
if [[ -z $out ]]; then out=$(mktemp -d); fi
mkdir -p "$out"
# Rows of an earlier run in the same folder would enter the medians.
rm -f "$out"/round*.dotnet.tsv "$out"/round*.pytorch.tsv
thread_list=${threads// /,}

dotnet build bench/Edge.Benchmarks -c Release -nologo -v q >/dev/null
benchmarks=(dotnet bench/Edge.Benchmarks/bin/Release/net10.0/Edge.Benchmarks.dll peers --threads "$thread_list" --iterations "$iterations")
pytorch=(/usr/bin/python3 bench/pytorch_int8.py --threads "$thread_list" --seconds "$seconds")
if [[ -n $models ]]; then benchmarks+=(--models "$models"); pytorch+=(--models "$models"); fi
have_torch=1
/usr/bin/python3 -c 'import torch, torchvision, onnx' 2>/dev/null || { have_torch=0; echo "no /usr/bin/python3 with torch, torchvision and onnx: PyTorch columns left out" >&2; }

run_dotnet() { "${benchmarks[@]}" --tsv "$out/round$1.dotnet.tsv" > "$out/round$1.dotnet.log" 2>&1 || { echo "round $1: the BenchmarkDotNet run failed, see $out/round$1.dotnet.log" >&2; exit 1; }; }
run_pytorch() { (( have_torch )) || return 0; "${pytorch[@]}" --tsv "$out/round$1.pytorch.tsv" > "$out/round$1.pytorch.log" 2>&1 || { echo "round $1: pytorch_int8.py failed, see $out/round$1.pytorch.log" >&2; exit 1; }; }

for ((round = 1; round <= rounds; round++)); do
  echo "round $round/$rounds: $(date -u +%H:%M:%S), load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  if (( round % 2 )); then run_dotnet "$round"; run_pytorch "$round"; else run_pytorch "$round"; run_dotnet "$round"; fi
done

python3 - "$out" "$rounds" "$have_torch" <<'PY'
import glob, os, statistics, sys
out, rounds, have_torch = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1"
values, macs, order = {}, {}, []
for path in sorted(glob.glob(os.path.join(out, "round*.dotnet.tsv")) + glob.glob(os.path.join(out, "round*.pytorch.tsv"))):
    for line in open(path):
        model, mac, threads, engine, ms = line.rstrip("\n").split("\t")[:5]
        key = (model, int(threads))
        if key not in order: order.append(key)
        macs[model] = int(mac)
        values.setdefault((model, int(threads), engine), []).append(float(ms))
def med(model, t, engine):
    v = values.get((model, t, engine))
    return statistics.median(v) if v else None
def cell(v): return "–" if v is None else f"{v:.3f}" if v < 1 else f"{v:.2f}"
for t in sorted({t for _, t in order}):
    print(f"\n### {t} thread{'s' if t > 1 else ''}, batch 1 — median of {rounds} interleaved rounds (ms)\n")
    print("| model | MACs | Edge int8 | ORT fp32 | PyTorch oneDNN int8 | PyTorch qnnpack int8 | ratio min(ORT, oneDNN) / Edge |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for model, tt in order:
        if tt != t: continue
        e, o, d, q = (med(model, t, k) for k in ("edge-int8", "ort-fp32", "pytorch-onednn-int8", "pytorch-qnnpack-int8"))
        peers = [v for v in (o, d) if v is not None]
        ratio = f"{min(peers) / e:.2f}×" if e and peers else "–"
        m = macs[model] / 1e6
        print(f"| {model} | {m:.2f} M | {cell(e)} | {cell(o)} | {cell(d)} | {cell(q)} | {ratio} |")
if not have_torch:
    print("\nNo PyTorch here: the ratio is ORT fp32 / Edge int8.")
PY
grep -h -E "^(skipped|failed) " "$out"/round1.*.log 2>/dev/null | sort -u || true
echo "raw rows and logs: $out" >&2
