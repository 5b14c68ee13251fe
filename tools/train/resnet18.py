"""ResNet-18-224 for the side-by-side benchmark: torchvision's resnet18, seeded random weights, BN statistics warmed up.

usage: /usr/bin/python3 tools/train/resnet18.py [--out DIR]      (default DIR: bench/models, gitignored)

Writes DIR/resnet18-224.onnx (≈ 45 MB: too large to commit, hence this script) and DIR/resnet18-224.bn.onnx (BatchNorm kept
as nodes, initializers named as PyTorch's state_dict: bench/pytorch_int8.py loads its weights from there). Same recipe as
zoo.py's mobilenetv2-224, whose ONNX ships: torch.manual_seed(4321), PyTorch's default initialisation, BN γ ~ U(0.5, 1.5),
β ~ N(0, 0.2²), running statistics the cumulative average over train-mode forwards of 8 batches of 16 Fashion-MNIST
calibration images prepared as ImageNet inputs (zoo.fashion_as_imagenet), the last Linear scaled so the logits have mean 0
and std 2 on those batches; opset 13, input `input` [batch, 3, 224, 224], output `logits` [batch, 1000].
Reads firmware-models/data (shipped). Takes about a minute here.
"""
import argparse
import warnings
from pathlib import Path

import torch
import torchvision

from common import ROOT, count_params, log, onnx_op_types, seed_everything
from zoo import SEED, calibration_batches, make_nontrivial

NAME = "resnet18-224"
SHAPE = (1, 3, 224, 224)


def build():
    seed_everything(SEED)
    model = torchvision.models.resnet18(weights=None)
    # calibration_batches gives mobilenetv2-224's batches (the Fashion-MNIST calibration images as ImageNet inputs).
    make_nontrivial(model, calibration_batches("mobilenetv2-224", SHAPE, None))
    return model.eval()


def export(model, out):
    out.mkdir(parents=True, exist_ok=True)
    dummy = torch.zeros(SHAPE)
    kwargs = dict(input_names=["input"], output_names=["logits"], opset_version=13,
                  dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    plain, bn = out / f"{NAME}.onnx", out / f"{NAME}.bn.onnx"
    torch.onnx.export(model, dummy, str(plain), **kwargs)
    with warnings.catch_warnings():   # the advice to disable constant folding is for models in train mode
        warnings.filterwarnings("ignore", message="It is recommended that constant folding be turned off")
        torch.onnx.export(model, dummy, str(bn), training=torch.onnx.TrainingMode.PRESERVE, **kwargs)
    ops = onnx_op_types(plain)
    assert "BatchNormalization" not in ops and "Dropout" not in ops, ops
    log(f"{plain}: {plain.stat().st_size} B, {len(ops)} nodes; {bn}: {bn.stat().st_size} B; {count_params(model)} params")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "models")
    args = ap.parse_args()
    export(build(), args.out)


if __name__ == "__main__":
    main()
