"""Writes the small PyTorch-exported ONNX files the importer tests read (run with Debian's python3-torch 1.13).

    /usr/bin/python3 tests/Edge.Onnx.Tests/Data/make_torch_samples.py

The files are committed, so the tests need no Python. Each exercises what torch.onnx emits around the layers:
the Shape→Gather→Unsqueeze→Concat chain of x.view(x.size(0), -1), the ConstantOfShape/Reshape/Slice/Transpose/Cast
chain of F.pad, HardSigmoid+Mul for Hardswish before opset 14, Clip bounds as Constant inputs, and (opset 11 file)
initializers listed as graph inputs, as older exporters wrote them.
"""
import os
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))


class Sample(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3)
        self.bn = nn.BatchNorm2d(4)
        self.hs = nn.Hardswish()
        self.fc = nn.Linear(4 * 7 * 7, 3)

    def forward(self, x):
        x = self.hs(self.bn(self.conv(x)))
        x = F.pad(x, (1, 0, 0, 1))
        x = torch.clamp(x, -1, 6)
        x = x.view(x.size(0), -1)
        return F.softmax(self.fc(x), dim=1)


class SizeArithmetic(nn.Module):
    """x.reshape(b, c * h * w): the sizes are multiplied by Mul nodes on int64 scalars."""

    def forward(self, x):
        b, c, h, w = x.shape
        return x.reshape(b, c * h * w)


def export(model, x, name, opset, **kw):
    path = os.path.join(HERE, name)
    torch.onnx.export(model.eval(), x, path, opset_version=opset, input_names=["x"], output_names=["y"],
                      dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}}, **kw)
    onnx.checker.check_model(onnx.load(path))


torch.manual_seed(0)
sample = Sample()
with torch.no_grad():
    sample.bn.running_mean.uniform_(-0.5, 0.5)
    sample.bn.running_var.uniform_(0.5, 2.0)
x = torch.randn(1, 1, 8, 8)
export(sample, x, "torch_sample_opset13.onnx", 13, training=torch.onnx.TrainingMode.PRESERVE)
export(sample, x, "torch_sample_opset11.onnx", 11, training=torch.onnx.TrainingMode.PRESERVE, keep_initializers_as_inputs=True)
export(SizeArithmetic(), torch.randn(1, 2, 3, 4), "torch_reshape_arithmetic.onnx", 13)
