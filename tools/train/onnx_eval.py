"""A minimal ONNX interpreter (the operators the firmware models use), written against the ONNX operator
specification with torch.nn.functional, to check that both exported files reproduce PyTorch's golden
outputs. Needs the `onnx` package (Debian: python3-onnx)."""
import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import numpy_helper


def _attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _pads2d(a):
    p = a.get("pads", [0, 0, 0, 0])            # ONNX: top, left, bottom, right
    return p[1], p[3], p[0], p[2]               # F.pad: left, right, top, bottom


def _conv(x, w, b=None, **a):
    x = F.pad(x, _pads2d(a))
    return F.conv2d(x, w, b, a.get("strides", [1, 1]), 0, a.get("dilations", [1, 1]), a.get("group", 1))


def _maxpool(x, **a):
    x = F.pad(x, _pads2d(a), value=-np.inf)
    return F.max_pool2d(x, a["kernel_shape"], a.get("strides", [1, 1]), 0, ceil_mode=bool(a.get("ceil_mode", 0)))


def _avgpool(x, **a):
    if a.get("count_include_pad", 0):
        x, a = F.pad(x, _pads2d(a)), {**a, "pads": [0, 0, 0, 0]}
    p = a.get("pads", [0, 0, 0, 0])
    assert p[0] == p[2] and p[1] == p[3], "asymmetric AveragePool pads"
    return F.avg_pool2d(x, a["kernel_shape"], a.get("strides", [1, 1]), (p[0], p[1]),
                        ceil_mode=bool(a.get("ceil_mode", 0)), count_include_pad=False)


def _lrn(x, size, alpha=1e-4, beta=0.75, bias=1.0):
    sq = F.pad((x * x).unsqueeze(1), (0, 0, 0, 0, (size - 1) // 2, size - 1 - (size - 1) // 2))
    s = F.avg_pool3d(sq, (size, 1, 1), stride=1, divisor_override=1).squeeze(1)
    return x / (bias + alpha / size * s) ** beta


def _gemm(a, b, c=None, alpha=1.0, beta=1.0, transA=0, transB=0):
    y = alpha * ((a.T if transA else a) @ (b.T if transB else b))
    return y if c is None else y + beta * c


def _bn(x, scale, bias, mean, var, epsilon=1e-5, **_):
    return F.batch_norm(x, mean, var, scale, bias, False, 0.0, epsilon)


OPS = {
    "Conv": _conv, "MaxPool": _maxpool, "AveragePool": _avgpool, "LRN": _lrn, "Gemm": _gemm,
    "BatchNormalization": _bn,
    "GlobalAveragePool": lambda x: x.mean((2, 3), keepdim=True),
    "Flatten": lambda x, axis=1: x.reshape(int(np.prod(x.shape[:axis])), -1),
    "Relu": F.relu, "Sigmoid": torch.sigmoid, "Tanh": torch.tanh,
    "Clip": lambda x, lo=None, hi=None: x.clamp(None if lo is None else lo.item(), None if hi is None else hi.item()),
    "LeakyRelu": lambda x, alpha=0.01: torch.where(x >= 0, x, alpha * x),
    "Elu": lambda x, alpha=1.0: torch.where(x > 0, x, alpha * (torch.exp(x) - 1)),
    "HardSigmoid": lambda x, alpha=0.2, beta=0.5: (alpha * x + beta).clamp(0, 1),
    "HardSwish": lambda x: x * (x / 6 + 0.5).clamp(0, 1),
    "Add": torch.add, "Mul": torch.mul,
    "Concat": lambda *xs, axis: torch.cat(xs, axis),
    "Softmax": lambda x, axis=-1: torch.softmax(x, axis),
    "Pad": lambda x, pads, value=None, mode=b"constant": F.pad(
        x, [int(v) for v in (pads[3], pads[7], pads[2], pads[6])], value=0.0 if value is None else value.item()),
    "Constant": lambda value: torch.from_numpy(numpy_helper.to_array(value).copy()),
}


@torch.no_grad()
def run(path, x):
    model = onnx.load(str(path))
    env = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy()) for i in model.graph.initializer}
    env[model.graph.input[0].name] = x
    for node in model.graph.node:
        args = [env[n] if n else None for n in node.input]
        if node.op_type == "Pad":
            assert all(int(v) == 0 for v in (args[1][0], args[1][1], args[1][4], args[1][5]))
        out = OPS[node.op_type](*args, **_attrs(node))
        env[node.output[0]] = out
    return env[model.graph.output[0].name]
