"""The five torchvision models of issue 14 (squeeze-excitation, SiLU, Hardswish, channel shuffle, ReduceMean):
random weights, BN statistics warmed up by train-mode forwards on random data, eval mode, exported at 1x3x224x224
with the exporter's default opset (14 in torch 1.13: Hardswish is one op).

usage: /usr/bin/python3 tools/train/torchvision_zoo.py [all | NAME ...]

Writes to out/torchvision-zoo/ (gitignored: 2-20 MB per model, never committed), per model NAME:
  NAME.onnx            the model (BN folded by the exporter, as a user's default export)
  NAME.calib.f32       8 calibration inputs, float32 NCHW little-endian, torch.randn seeded CALIB_SEED
  NAME.input.f32       4 test inputs, torch.randn seeded INPUT_SEED (drawn independently of the calibration ones)
  NAME.output.f32      PyTorch's float logits for NAME.input.f32, [4, 1000]
  NAME.json            shapes, seeds, torch/torchvision versions, op types of the graph
tests/Edge.TorchvisionZoo.Tests (Category=TorchvisionZoo) converts each model, runs int8 and float and checks them.
"""
import argparse
import json
import sys
from pathlib import Path

import torch
import torch.nn as nn
import torchvision

from common import ROOT, log, onnx_op_types, seed_everything

OUT_DIR = ROOT / "out" / "torchvision-zoo"
WEIGHT_SEED = 1414
WARMUP_SEED = 1415
CALIB_SEED = 1416
INPUT_SEED = 1417
SHAPE = (1, 3, 224, 224)
CALIB_COUNT = 8
INPUT_COUNT = 4

MODELS = {
    "mobilenet_v3_small": torchvision.models.mobilenet_v3_small,
    "efficientnet_b0": torchvision.models.efficientnet_b0,
    "shufflenet_v2_x1_0": torchvision.models.shufflenet_v2_x1_0,
    "mnasnet0_5": torchvision.models.mnasnet0_5,
    "regnet_y_400mf": torchvision.models.regnet_y_400mf,
}


@torch.no_grad()
def warm_up(model, gen):
    """BN running statistics from the cumulative average over 4 train-mode batches of random data (torchvision's
    initial affine, weight 1 and bias 0, is kept), then eval mode, where Dropout is inactive."""
    bns = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    for bn in bns:
        bn.reset_running_stats()
        bn.momentum = None
    model.train()
    for _ in range(4):
        model(torch.randn((8, *SHAPE[1:]), generator=gen))
    model.eval()


def write_f32(path, tensor):
    path.write_bytes(tensor.contiguous().float().numpy().astype("<f4").tobytes())


def build(name):
    seed_everything(WEIGHT_SEED)
    model = MODELS[name](weights=None)
    warm_up(model, torch.Generator().manual_seed(WARMUP_SEED))
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    onnx_path = OUT_DIR / f"{name}.onnx"
    torch.onnx.export(model, torch.zeros(SHAPE), str(onnx_path), input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    calib = torch.randn((CALIB_COUNT, *SHAPE[1:]), generator=torch.Generator().manual_seed(CALIB_SEED))
    inputs = torch.randn((INPUT_COUNT, *SHAPE[1:]), generator=torch.Generator().manual_seed(INPUT_SEED))
    with torch.no_grad():
        outputs = model(inputs)
    write_f32(OUT_DIR / f"{name}.calib.f32", calib)
    write_f32(OUT_DIR / f"{name}.input.f32", inputs)
    write_f32(OUT_DIR / f"{name}.output.f32", outputs)
    ops = onnx_op_types(onnx_path)
    meta = {
        "model": name, "onnx": onnx_path.name, "input_shape": list(SHAPE), "output_shape": [1, 1000],
        "opset": torch.onnx._constants.ONNX_DEFAULT_OPSET,
        "calib": {"file": f"{name}.calib.f32", "count": CALIB_COUNT, "seed": CALIB_SEED},
        "input": {"file": f"{name}.input.f32", "count": INPUT_COUNT, "seed": INPUT_SEED},
        "output": {"file": f"{name}.output.f32", "shape": list(outputs.shape)},
        "seeds": {"weights": WEIGHT_SEED, "bn_warmup": WARMUP_SEED},
        "torch": torch.__version__, "torchvision": torchvision.__version__,
        "op_types": sorted(set(ops)),
    }
    (OUT_DIR / f"{name}.json").write_text(json.dumps(meta, indent=2) + "\n")
    log(f"{name}: {onnx_path.stat().st_size} B, {len(ops)} nodes, ops {sorted(set(ops))}")


def main():
    ap = argparse.ArgumentParser()
    # Names checked here, not with choices=: this Python's argparse checks an empty (or default) list against the
    # choices as one value and refuses the documented no-argument call.
    ap.add_argument("names", nargs="*", help=f"models to export: all (the default) or any of {', '.join(MODELS)}")
    args = ap.parse_args()
    unknown = [n for n in args.names if n != "all" and n not in MODELS]
    if unknown:
        ap.error(f"unknown model(s) {', '.join(unknown)}; choose from all, {', '.join(MODELS)}")
    names = list(MODELS) if not args.names or "all" in args.names else args.names
    for name in names:
        build(name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
