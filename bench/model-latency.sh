#!/usr/bin/env bash
# Whole-model latency, several builds interleaved: for each round, every (build, model, kernel path) runs `edge bench`
# once, so a load that comes and goes on a shared machine spreads over all of them alike. Prints one line per run and,
# at the end, the median over the rounds of each one's p50.
#
#   bench/model-latency.sh [-r ROUNDS] [-k "scalar vector128 avx2"] NAME=EDGE_BINARY ... -- MODEL.edge[:ITERATIONS] ...
#
# Example (a baseline build exported with `git archive` next to the working tree's build):
#   bench/model-latency.sh -r 5 base=/tmp/base/tools/Edge.Cli/bin/Release/net10.0/edge \
#     new=tools/Edge.Cli/bin/Release/net10.0/edge -- lenet5-fashion.edge:2000 mobilenet-fashion.edge:300
set -euo pipefail
rounds=5
paths="scalar vector128 avx2"
while getopts "r:k:" opt; do
  case $opt in
    r) rounds=$OPTARG ;;
    k) paths=$OPTARG ;;
    *) exit 2 ;;
  esac
done
shift $((OPTIND - 1))
builds=()
while [[ $# -gt 0 && $1 != "--" ]]; do builds+=("$1"); shift; done
[[ $# -gt 0 ]] && shift
models=("$@")
[[ ${#builds[@]} -gt 0 && ${#models[@]} -gt 0 ]] || { echo "usage: $0 [-r ROUNDS] [-k PATHS] NAME=EDGE ... -- MODEL[:ITERATIONS] ..." >&2; exit 2; }

results=$(mktemp)
trap 'rm -f "$results"' EXIT
for ((round = 1; round <= rounds; round++)); do
  for spec in "${models[@]}"; do
    model=${spec%%:*}
    iterations=200
    [[ $spec == *:* ]] && iterations=${spec##*:}
    for path in $paths; do
      n=$iterations
      # The scalar reference is several times slower: fewer timed runs keep a round short.
      [[ $path == scalar ]] && n=$(( (iterations + 4) / 5 ))
      for build in "${builds[@]}"; do
        name=${build%%=*}
        edge=${build#*=}
        # A build that does not know a path (an older one) is skipped for it.
        if ! json=$("$edge" bench "$model" --iterations "$n" --kernels "$path" --json 2>/dev/null); then
          echo "round $round  $(basename "$model")  $path  $name  (not supported by this build)"
          continue
        fi
        p50=$(python3 -c 'import json, sys; print(json.load(sys.stdin)["latency_ms"]["p50"])' <<< "$json")
        echo "round $round  $(basename "$model")  $path  $name  p50 ${p50} ms"
        echo "$(basename "$model") $path $name $p50" >> "$results"
      done
    done
  done
done
echo "== median over $rounds rounds of p50 (ms)"
python3 - "$results" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    model, path, name, p50 = line.split()
    rows.setdefault((model, path, name), []).append(float(p50))
for (model, path, name), values in rows.items():
    print(f"{model:28} {path:10} {name:10} {statistics.median(values):8.4f}   runs: {' '.join(f'{v:.4f}' for v in values)}")
PY
