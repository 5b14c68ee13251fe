#!/usr/bin/python3
"""Small per-operator cases computed by PyTorch, the oracle the float reference path is held to.

Writes op_cases.json next to this script: for every case the operator, its attributes, the data inputs, the
constants (weights, biases, statistics) and PyTorch's output, all float32. The C# tests
(tests/Edge.Reference.Tests/PyTorchOpCaseTests.cs) build the same operator as an IR node, run it through
ReferenceExecutor and compare; they need no Python.

Regenerate (Debian's python3-torch, seeded, so the output only changes when this script does):
    /usr/bin/python3 tests/Edge.Reference.Tests/TestData/make_op_cases.py

Attribute conventions follow the IR, not torch: pads are [top, left, bottom, right] for windows and ONNX order
(all begins, then all ends) for Pad; "clamp" is [min, max] of an activation fused into the producer, null for an
unbounded side.
"""
import json
import os

import numpy as np
import torch
import torch.nn.functional as F

torch.manual_seed(20240611)
torch.set_num_threads(1)
CASES = []


def rand(*shape, scale=1.0):
    return (torch.randn(*shape) * scale).float()


def tensor(t):
    t = t.detach().contiguous().float()
    # str(np.float32) is the shortest decimal that reads back as the same float32.
    return {"shape": list(t.shape), "data": [float(str(np.float32(v))) for v in t.flatten().tolist()]}


def json_safe(v):
    """JSON has no infinity: an unbounded clamp side is written as null."""
    if isinstance(v, float) and np.isinf(v):
        return None
    if isinstance(v, (list, tuple)):
        return [json_safe(e) for e in v]
    return v


def case(name, op, inputs, output, attrs=None, constants=None, tol=1e-5):
    CASES.append({
        "name": name, "op": op, "attrs": {k: json_safe(v) for k, v in (attrs or {}).items()}, "tol": tol,
        "inputs": [tensor(x) for x in inputs],
        "constants": {k: tensor(v) for k, v in (constants or {}).items()},
        "output": tensor(output),
    })


def window(k, s=1, p=0, d=1, ceil=False):
    kh, kw = (k, k) if isinstance(k, int) else k
    sh, sw = (s, s) if isinstance(s, int) else s
    dh, dw = (d, d) if isinstance(d, int) else d
    if isinstance(p, int):
        p = [p, p, p, p]
    elif len(p) == 2:
        p = [p[0], p[1], p[0], p[1]]
    return {"kernel": [kh, kw], "stride": [sh, sw], "pads": list(p), "dilation": [dh, dw], "ceil_mode": ceil}


def conv(name, x_shape, w_shape, s=1, p=0, d=1, groups=1, bias=True, clamp=None, asym=None, tol=1e-5, scale=1.0):
    """asym = (left, right, top, bottom): F.pad then an unpadded convolution, the IR node pads asymmetrically."""
    x, w = rand(*x_shape, scale=scale), rand(*w_shape)
    b = rand(w_shape[0]) if bias else None
    if asym is not None:
        y = F.conv2d(F.pad(x, asym), w, b, s, 0, d, groups)
        left, right, top, bottom = asym
        pads = [top, left, bottom, right]
    else:
        y = F.conv2d(x, w, b, s, p, d, groups)
        pads = p
    if clamp is not None:
        y = torch.clamp(y, clamp[0], clamp[1])
    attrs = dict(window(w_shape[2:], s, pads, d), group=groups)
    if clamp is not None:
        attrs["clamp"] = clamp
    case(name, "Conv", [x], y, attrs, {"weight": w, **({"bias": b} if bias else {})}, tol)


conv("conv_k3x5_pad1x2", [2, 3, 7, 9], [4, 3, 3, 5], p=(1, 2))
conv("conv_stride2", [1, 3, 9, 11], [5, 3, 3, 3], s=2, p=1)
conv("conv_stride1x2", [1, 2, 6, 13], [3, 2, 2, 3], s=(1, 2), p=(0, 1))
conv("conv_dilation2", [1, 2, 10, 9], [3, 2, 3, 3], p=2, d=2)
conv("conv_groups2", [1, 4, 6, 7], [6, 2, 3, 3], p=1, groups=2)
conv("conv_depthwise", [2, 5, 8, 19], [5, 1, 3, 3], p=1, groups=5)
conv("conv_depthwise_stride2_relu6", [1, 6, 9, 10], [6, 1, 3, 3], s=2, p=1, groups=6, clamp=[0.0, 6.0], scale=3.0)
conv("conv_depthwise_dilation2", [1, 3, 11, 12], [3, 1, 3, 3], p=2, d=2, groups=3, bias=False)
conv("conv_depthwise_k5_asym_pad", [1, 4, 9, 11], [4, 1, 5, 5], groups=4, asym=(2, 1, 1, 2))
conv("conv_asym_pad_stride2", [1, 3, 8, 9], [4, 3, 3, 3], s=2, asym=(1, 0, 2, 1))
conv("conv_pointwise", [2, 8, 5, 6], [7, 8, 1, 1])
conv("conv_pointwise_stride2", [1, 4, 7, 7], [3, 4, 1, 1], s=2)
conv("conv_pointwise_relu", [1, 13, 4, 5], [9, 13, 1, 1], clamp=[0.0, float("inf")])
conv("conv_no_bias_wide", [1, 2, 5, 40], [3, 2, 3, 3], p=1, bias=False)
conv("conv_big_sum_relu", [1, 32, 9, 9], [6, 32, 3, 3], p=1, clamp=[0.0, float("inf")], tol=1e-4)


def pool(name, op, x_shape, k, s, p=0, d=1, ceil=False, include_pad=None):
    x = rand(*x_shape)
    attrs = window(k, s, p, d, ceil)
    if op == "MaxPool":
        y = F.max_pool2d(x, k, s, p, d, ceil_mode=ceil)
    else:
        y = F.avg_pool2d(x, k, s, p, ceil_mode=ceil, count_include_pad=include_pad)
        attrs["count_include_pad"] = include_pad
    case(name, op, [x], y, attrs)


pool("maxpool_k2s2", "MaxPool", [1, 2, 6, 6], 2, 2)
pool("maxpool_k3s2p1_ceil", "MaxPool", [2, 2, 8, 8], 3, 2, 1, ceil=True)
pool("maxpool_k2s2_ceil_overhang", "MaxPool", [1, 2, 5, 5], 2, 2, ceil=True)
pool("maxpool_k3s1p1_dilation2", "MaxPool", [1, 2, 7, 8], 3, 1, 1, d=2)
pool("maxpool_k3s2_dilation2_ceil", "MaxPool", [1, 1, 10, 9], 3, 2, 1, d=2, ceil=True)
for incl in (True, False):
    tag = "incl" if incl else "excl"
    pool(f"avgpool_k3s2p1_{tag}", "AveragePool", [2, 2, 7, 6], 3, 2, 1, include_pad=incl)
    pool(f"avgpool_k3s2p1_ceil_overhang_{tag}", "AveragePool", [1, 2, 6, 6], 3, 2, 1, ceil=True, include_pad=incl)
    pool(f"avgpool_k2s2_ceil_overhang_{tag}", "AveragePool", [1, 2, 5, 5], 2, 2, ceil=True, include_pad=incl)
    pool(f"avgpool_k3x2_s1x2_p1x1_{tag}", "AveragePool", [1, 3, 5, 7], (3, 2), (1, 2), (1, 1), include_pad=incl)

x = rand(2, 3, 5, 4)
case("global_avgpool", "GlobalAveragePool", [x], F.adaptive_avg_pool2d(x, 1))

for size, alpha, beta, k in ((5, 1e-4, 0.75, 1.0), (5, 0.1, 0.75, 2.0), (3, 0.05, 0.6, 1.5)):
    x = rand(2, 7, 3, 3, scale=5.0)
    case(f"lrn_size{size}_alpha{alpha}", "LRN", [x], F.local_response_norm(x, size, alpha, beta, k),
         {"size": size, "alpha": alpha, "beta": beta, "bias": k})

# Element-wise functions, on values that cross every breakpoint (hard-swish and hard-sigmoid at ±3, clip bounds).
x = torch.cat([torch.linspace(-7, 7, 57), rand(63, scale=4.0)]).reshape(2, 3, 4, 5)
case("relu", "Relu", [x], F.relu(x))
case("clip", "Clip", [x], torch.clamp(x, -0.5, 0.8), {"min": -0.5, "max": 0.8})
case("leakyrelu_0.1", "LeakyRelu", [x], F.leaky_relu(x, 0.1), {"alpha": 0.1})
case("sigmoid", "Sigmoid", [x], torch.sigmoid(x))
case("tanh", "Tanh", [x], torch.tanh(x))
case("elu", "Elu", [x], F.elu(x), {"alpha": 1.0})
case("elu_0.7", "Elu", [x], F.elu(x, 0.7), {"alpha": 0.7})
case("hardsigmoid_torch", "HardSigmoid", [x], F.hardsigmoid(x), {"alpha": 1.0 / 6.0, "beta": 0.5})
case("hardsigmoid_onnx_default", "HardSigmoid", [x], torch.clamp(0.2 * x + 0.5, 0, 1), {"alpha": 0.2, "beta": 0.5})
case("hardswish", "HardSwish", [x], F.hardswish(x))

x = rand(2, 5, 3, 2, scale=20.0)
case("softmax_axis1", "Softmax", [x], torch.softmax(x, 1), {"axis": 1})
x = rand(3, 7, scale=20.0)
case("softmax_last", "Softmax", [x], torch.softmax(x, -1), {"axis": -1})


def gemm(name, n, k, m, bias=True, clamp=None, tol=1e-5):
    x, w = rand(n, k), rand(m, k)
    b = rand(m) if bias else None
    y = F.linear(x, w, b)
    if clamp is not None:
        y = torch.clamp(y, clamp[0], clamp[1])
    case(name, "Gemm", [x], y, {"clamp": clamp} if clamp else {}, {"weight": w, **({"bias": b} if bias else {})}, tol)


gemm("gemm", 3, 20, 7)
gemm("gemm_no_bias_k19", 2, 19, 5, bias=False)
gemm("gemm_relu6", 4, 12, 6, clamp=[0.0, 6.0])
gemm("gemm_big_sum", 2, 300, 5, tol=1e-4)

for shape in ([2, 3, 4, 5], [4, 6]):
    c = shape[1]
    x, gamma, beta, mean, var = rand(*shape), rand(c), rand(c), rand(c), torch.rand(c) + 0.1
    y = F.batch_norm(x, mean, var, gamma, beta, training=False, eps=1e-5)
    case(f"batchnorm_rank{len(shape)}", "BatchNormalization", [x], y, {"epsilon": 1e-5},
         {"scale": gamma, "bias": beta, "mean": mean, "variance": var})

for name, sa, sb, clamp in (("add_same_relu", [2, 3, 4, 5], [2, 3, 4, 5], [0.0, float("inf")]),
                            ("add_broadcast_rank3", [2, 3, 4, 5], [3, 1, 5], None),
                            ("add_broadcast_both", [2, 1, 4, 1], [1, 3, 1, 5], None),
                            ("add_broadcast_vector_relu6", [2, 3, 4], [4], [0.0, 6.0])):
    a, b = rand(*sa, scale=4.0), rand(*sb, scale=4.0)
    y = a + b
    if clamp is not None:
        y = torch.clamp(y, clamp[0], clamp[1])
    case(name, "Add", [a, b], y, {"clamp": clamp} if clamp else {})

for name, ss in (("mul_per_channel", [3, 1, 1]), ("mul_per_channel_rank4", [1, 3, 1, 1]), ("mul_scalar", [1])):
    x, s = rand(2, 3, 4, 5), rand(*ss)
    case(name, "Mul", [x], x * s, {}, {"scale": s})

for name, shapes, axis in (("concat_axis1", [[2, 3, 4, 5], [2, 2, 4, 5]], 1),
                           ("concat_axis3", [[2, 3, 4, 2], [2, 3, 4, 3], [2, 3, 4, 1]], 3),
                           ("concat_axis0", [[1, 2, 3], [2, 2, 3]], 0),
                           ("concat_axis_minus2", [[2, 1, 3], [2, 4, 3]], -2)):
    xs = [rand(*s) for s in shapes]
    case(name, "Concat", xs, torch.cat(xs, axis), {"axis": axis})

x = rand(1, 2, 3, 4)
case("pad_hw_value", "Pad", [x], F.pad(x, (2, 1, 1, 2), value=0.5), {"pads": [0, 0, 1, 2, 0, 0, 2, 1], "value": 0.5})
case("pad_channels", "Pad", [x], F.pad(x, (0, 0, 0, 0, 1, 2)), {"pads": [0, 1, 0, 0, 0, 2, 0, 0], "value": 0.0})

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "op_cases.json")
with open(out, "w") as f:
    json.dump({"generator": "make_op_cases.py", "torch": torch.__version__, "cases": CASES}, f, separators=(",", ":"))
    f.write("\n")
print(f"{len(CASES)} cases, {os.path.getsize(out)} bytes -> {out}")
