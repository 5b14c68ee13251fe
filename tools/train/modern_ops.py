"""Tiny seeded models that use the operators of modern CNNs (squeeze-excitation Mul, SiLU, Hardswish, Hardsigmoid,
ReduceMean with keepdims 0 and 1, channel split and shuffle, Sub/Div/Add by constants, nearest upsampling ×2,
GlobalMaxPool), exported with opset 14 for the golden tests of tests/Edge.Onnx.Tests (ModernOpsGoldenTests).

usage: /usr/bin/python3 tools/train/modern_ops.py

Writes tests/Edge.Onnx.Tests/Data/modern/NAME.onnx, NAME.input.f32 (8 inputs, torch.randn seeded SEED + index of the
model) and NAME.output.f32 (PyTorch's outputs), float32 little-endian, NCHW. A few KB each; committed.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from common import ROOT, log, onnx_op_types, seed_everything

OUT_DIR = ROOT / "tests" / "Edge.Onnx.Tests" / "Data" / "modern"
SEED = 2468
COUNT = 8
OPSET = 14


class SqueezeExcite(nn.Module):
    """MobileNetV3 / EfficientNet gate: x · gate(fc(mean(x)))."""

    def __init__(self, c, hidden, gate):
        super().__init__()
        self.fc1 = nn.Conv2d(c, hidden, 1)
        self.fc2 = nn.Conv2d(hidden, c, 1)
        self.gate = gate

    def forward(self, x):
        s = x.mean([2, 3], keepdim=True)                      # ReduceMean keepdims=1
        return x * self.gate(self.fc2(F.relu(self.fc1(s))))    # Mul [N,C,1,1] x [N,C,H,W]


class SeSilu(nn.Module):
    """Input 3x11x13: conv + BN + SiLU, SE with a sigmoid gate, conv + Hardswish, SE with a hardsigmoid gate,
    x.mean([2, 3]) (keepdims=0), Linear."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 12, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(12)
        self.se1 = SqueezeExcite(12, 4, torch.sigmoid)
        self.conv2 = nn.Conv2d(12, 16, 3, stride=2, padding=1)
        self.act2 = nn.Hardswish()
        self.se2 = SqueezeExcite(16, 8, nn.Hardsigmoid())
        self.fc = nn.Linear(16, 5)

    def forward(self, x):
        x = F.silu(self.bn1(self.conv1(x)))
        x = self.se1(x)
        x = self.se2(self.act2(self.conv2(x)))
        x = x * torch.sigmoid(x)                               # SiLU written out
        return self.fc(x.mean([2, 3]))


def channel_shuffle(x, groups):
    n, c, h, w = x.size()
    x = x.view(n, groups, c // groups, h, w)
    x = torch.transpose(x, 1, 2).contiguous()
    return x.view(n, -1, h, w)


class Shuffle(nn.Module):
    """Input 3x9x7: conv + ReLU, ShuffleNetV2 unit (chunk, branch, cat, shuffle), (x − c) / d, + 0.5, nearest ×2,
    depthwise conv, Hardsigmoid, GlobalMaxPool, Linear."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1)
        self.branch = nn.Sequential(nn.Conv2d(4, 4, 1), nn.ReLU(), nn.Conv2d(4, 4, 3, padding=1, groups=4), nn.Conv2d(4, 4, 1), nn.ReLU())
        self.register_buffer("mean", torch.linspace(-0.5, 0.5, 8).view(1, 8, 1, 1))
        self.register_buffer("std", torch.linspace(0.5, 2.0, 8).view(1, 8, 1, 1))
        self.up = nn.Upsample(scale_factor=2, mode="nearest")
        self.dw = nn.Conv2d(8, 8, 3, padding=1, groups=8)
        self.act = nn.Hardsigmoid()
        self.pool = nn.AdaptiveMaxPool2d(1)
        self.fc = nn.Linear(8, 6)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x1, x2 = x.chunk(2, dim=1)
        x = channel_shuffle(torch.cat((x1, self.branch(x2)), dim=1), 2)
        x = (x - self.mean) / self.std + 0.5
        x = self.act(self.dw(self.up(x)))
        return self.fc(torch.flatten(self.pool(x), 1))


MODELS = {"se-silu": (SeSilu, (3, 11, 13)), "shuffle": (Shuffle, (3, 9, 7))}


@torch.no_grad()
def build(index, name):
    ctor, shape = MODELS[name]
    seed_everything(SEED + index)
    model = ctor()
    gen = torch.Generator().manual_seed(SEED + index)
    bns = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    for bn in bns:
        bn.momentum = None
    model.train()
    for _ in range(3):
        model(torch.randn((16, *shape), generator=gen))
    model.eval()
    inputs = torch.randn((COUNT, *shape), generator=gen)
    outputs = model(inputs)
    path = OUT_DIR / f"{name}.onnx"
    torch.onnx.export(model, torch.zeros((1, *shape)), str(path), input_names=["input"], output_names=["y"],
                      opset_version=OPSET, dynamic_axes={"input": {0: "batch"}, "y": {0: "batch"}})
    (OUT_DIR / f"{name}.input.f32").write_bytes(inputs.numpy().astype("<f4").tobytes())
    (OUT_DIR / f"{name}.output.f32").write_bytes(outputs.numpy().astype("<f4").tobytes())
    log(f"{name}: {path.stat().st_size} B, ops {sorted(set(onnx_op_types(path)))}")


def main():
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for index, name in enumerate(MODELS):
        build(index, name)


if __name__ == "__main__":
    main()
