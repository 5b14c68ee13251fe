#!/usr/bin/env bash
# Regenerates docs/compare-report.png and docs/compare-report-histograms.png: the HTML report of `edge compare` on the
# shipped MobileNet-style model, rendered by headless Chromium and cropped. A development tool, not part of CI.
# Needs Debian's chromium and python3-pil:  apt-get install -y chromium python3-pil
# Run from the repository root:  bash tools/docs/compare-report-screenshots.sh
set -euo pipefail
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
data=firmware-models/data
edge() { dotnet run --project tools/Edge.Cli -c Release --no-launch-profile -- "$@"; }

/usr/bin/python3 -c "import json; m = json.load(open('firmware-models/manifest.json')); \
print('\n'.join(next(x for x in m['models'] if x['name'] == 'mobilenet-fashion')['class_labels']))" > "$work/labels.txt"
edge convert firmware-models/mobilenet-fashion.onnx -o "$work/mobilenet-fashion.edge" \
  --calib "$data/fashion-calib-images-idx3-ubyte.gz" --mean 0.286 --std 0.353 --labels "$work/labels.txt" > /dev/null
edge compare firmware-models/mobilenet-fashion.onnx "$work/mobilenet-fashion.edge" \
  --data "$data/fashion-test-images-idx3-ubyte.gz" --labels "$data/fashion-test-labels-idx1-ubyte.gz" -o "$work/report.html" > /dev/null
chromium --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync \
  --no-first-run --hide-scrollbars --force-device-scale-factor=1 --window-size=1240,7600 \
  --screenshot="$work/full.png" "file://$work/report.html" 2> /dev/null
# Crops at fixed offsets of this model's report: the summary and the SQNR chart; the first two rows of histograms.
/usr/bin/python3 - "$work/full.png" <<'PY'
import sys
from PIL import Image
im = Image.open(sys.argv[1]).convert("RGB")
im.crop((0, 0, 1240, 1130)).quantize(colors=128).save("docs/compare-report.png", optimize=True)
im.crop((0, 2730, 1240, 3380)).quantize(colors=128).save("docs/compare-report-histograms.png", optimize=True)
PY
echo "Wrote docs/compare-report.png and docs/compare-report-histograms.png"
