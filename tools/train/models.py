"""Architectures of the firmware models (trained ones and the random-weight operator zoo)."""
import warnings

import torch
import torch.nn as nn
import torch.nn.functional as F


def conv_bn(cin, cout, k, stride=1, padding=0, groups=1, act=nn.ReLU):
    layers = [nn.Conv2d(cin, cout, k, stride, padding, groups=groups, bias=False), nn.BatchNorm2d(cout)]
    if act is not None:
        layers.append(act(inplace=True))
    return nn.Sequential(*layers)


# ---------------------------------------------------------------- trained models

def lenet5_classic():
    """LeCun et al. 1998 as usually reproduced: sigmoid, average pooling, 61,706 parameters.

    count_include_pad=False changes nothing without padding, but torch 1.13 otherwise exports every
    AvgPool2d as a no-op Pad (zeros) + AveragePool."""
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.AvgPool2d(2, count_include_pad=False), nn.Sigmoid(),
        nn.Conv2d(6, 16, 5), nn.AvgPool2d(2, count_include_pad=False), nn.Sigmoid(),
        nn.Flatten(),
        nn.Linear(400, 120), nn.Sigmoid(),
        nn.Linear(120, 84), nn.Sigmoid(),
        nn.Linear(84, 10))


def lenet5_bn():
    """LeNet-5 with BatchNorm after each conv, ReLU and max pooling."""
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.BatchNorm2d(6), nn.ReLU(inplace=True), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.BatchNorm2d(16), nn.ReLU(inplace=True), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(inplace=True),
        nn.Linear(120, 84), nn.ReLU(inplace=True),
        nn.Linear(84, 10))


class InvertedResidual(nn.Module):
    """MobileNetV2 block: 1x1 expand + BN + ReLU6 (absent when expand == 1, as in MobileNetV2's first block),
    3x3 depthwise + BN + ReLU6, 1x1 linear projection + BN; residual Add when shapes match."""

    def __init__(self, cin, cout, stride, expand):
        super().__init__()
        hidden = cin * expand
        self.residual = stride == 1 and cin == cout
        layers = [conv_bn(cin, hidden, 1, act=nn.ReLU6)] if expand != 1 else []
        self.body = nn.Sequential(
            *layers,
            conv_bn(hidden, hidden, 3, stride, 1, groups=hidden, act=nn.ReLU6),
            conv_bn(hidden, cout, 1, act=None))

    def forward(self, x):
        return x + self.body(x) if self.residual else self.body(x)


class MobileNetFashion(nn.Module):
    # (expand, out channels, repeats, stride of the first block)
    CFG = [(1, 16, 1, 2), (4, 24, 2, 1), (4, 32, 3, 2), (4, 64, 1, 1)]

    def __init__(self, classes=10, stem=16, head=256, dropout=0.2):
        super().__init__()
        layers = [conv_bn(1, stem, 3, 1, 1, act=nn.ReLU6)]
        cin = stem
        for t, c, n, s in self.CFG:
            for i in range(n):
                layers.append(InvertedResidual(cin, c, s if i == 0 else 1, t))
                cin = c
        layers.append(conv_bn(cin, head, 1, act=nn.ReLU6))
        self.features = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Sequential(nn.Flatten(), nn.Dropout(dropout), nn.Linear(head, classes))

    def forward(self, x):
        return self.classifier(self.pool(self.features(x)))


# ---------------------------------------------------------------- operator zoo (random weights)

def _onnx_op(g, op, *args, **attrs):
    with warnings.catch_warnings():   # torch 1.13 flags g.op in autograd.Function symbolics as deprecated
        warnings.simplefilter("ignore", FutureWarning)
        return g.op(op, *args, **attrs)


class _LRNFunction(torch.autograd.Function):
    """F.local_response_norm exports as a dozen primitive ops in torch 1.13; this emits one ONNX LRN node."""

    @staticmethod
    def forward(ctx, x, size, alpha, beta, k):
        return F.local_response_norm(x, size, alpha, beta, k)

    @staticmethod
    def symbolic(g, x, size, alpha, beta, k):
        return _onnx_op(g, "LRN", x, size_i=size, alpha_f=alpha, beta_f=beta, bias_f=k)


class LRN(nn.LocalResponseNorm):
    """nn.LocalResponseNorm exported as ONNX LRN. With an odd size the two definitions cover the same channels."""

    def forward(self, x):
        assert self.size % 2 == 1
        return _LRNFunction.apply(x, self.size, self.alpha, self.beta, self.k)


class _ZeroPadFunction(torch.autograd.Function):
    """torch 1.13 exports F.pad (opset >= 11) as a shape-computing subgraph (ConstantOfShape, Slice, Transpose,
    ...) that its constant folding cannot fold; this emits one Pad with a constant pads tensor."""

    @staticmethod
    def forward(ctx, x, left, right, top, bottom):
        return F.pad(x, (left, right, top, bottom))

    @staticmethod
    def symbolic(g, x, left, right, top, bottom):
        pads = _onnx_op(g, "Constant", value_t=torch.tensor([0, 0, top, left, 0, 0, bottom, right]))
        return _onnx_op(g, "Pad", x, pads, mode_s="constant")


class ZeroPad2d(nn.ZeroPad2d):
    def forward(self, x):
        return _ZeroPadFunction.apply(x, *self.padding)


def alexnet_zoo(classes=10):
    """Input 3x64x64. LRN alpha 1 (AlexNet: 1e-4 on 0..255 activations) so that its squared-sum term is
    not negligible at these activation scales."""
    return nn.Sequential(
        nn.Conv2d(3, 32, 11, stride=4, padding=2), nn.ReLU(inplace=True), LRN(5, alpha=1.0, beta=0.75, k=1.0),
        nn.MaxPool2d(3, 2),                                                      # 15 -> 7
        nn.Conv2d(32, 64, 5, padding=2), nn.ReLU(inplace=True), LRN(5, alpha=1.0, beta=0.75, k=1.0),
        nn.MaxPool2d(3, 2),                                                      # 7 -> 3
        nn.Conv2d(64, 96, 3, padding=1), nn.ReLU(inplace=True),
        nn.Conv2d(96, 96, 3, padding=1), nn.ReLU(inplace=True),
        nn.Conv2d(96, 128, 3, padding=1), nn.ReLU(inplace=True),
        nn.MaxPool2d(3, 2),                                                      # 3 -> 1
        nn.Flatten(),
        nn.Dropout(0.5), nn.Linear(128, 768), nn.ReLU(inplace=True),
        nn.Dropout(0.5), nn.Linear(768, 384), nn.ReLU(inplace=True),
        nn.Linear(384, classes))


def vgg_zoo(classes=10):
    """Input 3x32x32: three stages of two 3x3 conv+BN+ReLU and a 2x2 max pool."""
    layers, cin = [], 3
    for c in (32, 64, 128):
        layers += [conv_bn(cin, c, 3, padding=1), conv_bn(c, c, 3, padding=1), nn.MaxPool2d(2)]
        cin = c
    return nn.Sequential(*layers, nn.Flatten(),
                         nn.Linear(128 * 4 * 4, 128), nn.ReLU(inplace=True), nn.Dropout(0.5),
                         nn.Linear(128, classes))


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.body = nn.Sequential(conv_bn(cin, cout, 3, stride, 1), conv_bn(cout, cout, 3, 1, 1, act=None))
        self.shortcut = (nn.Identity() if stride == 1 and cin == cout
                         else conv_bn(cin, cout, 1, stride, act=None))   # 1x1 conv + BN downsample
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x):
        return self.relu(self.body(x) + self.shortcut(x))


class ResNetZoo(nn.Module):
    """Input 3x32x32, ResNet-14-style (CIFAR layout): 16/32/64 channels, two basic blocks per stage."""

    def __init__(self, classes=10):
        super().__init__()
        blocks, cin = [conv_bn(3, 16, 3, padding=1)], 16
        for c, s in ((16, 1), (32, 2), (64, 2)):
            blocks += [BasicBlock(cin, c, s), BasicBlock(c, c, 1)]
            cin = c
        self.features = nn.Sequential(*blocks)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(64, classes)

    def forward(self, x):
        return self.fc(torch.flatten(self.pool(self.features(x)), 1))


class Inception(nn.Module):
    def __init__(self, cin, c1, c3r, c3, c5r, c5, cp):
        super().__init__()
        self.b1 = conv_bn(cin, c1, 1)
        self.b3 = nn.Sequential(conv_bn(cin, c3r, 1), conv_bn(c3r, c3, 3, padding=1))
        self.b5 = nn.Sequential(conv_bn(cin, c5r, 1), conv_bn(c5r, c5, 5, padding=2))
        self.bp = nn.Sequential(nn.MaxPool2d(3, 1, 1), conv_bn(cin, cp, 1))
        self.channels = c1 + c3 + c5 + cp

    def forward(self, x):
        return torch.cat([self.b1(x), self.b3(x), self.b5(x), self.bp(x)], 1)


class InceptionZoo(nn.Module):
    """Input 3x32x32, GoogLeNet-style modules with BN (as torchvision's BasicConv2d)."""

    def __init__(self, classes=10):
        super().__init__()
        a = Inception(32, 16, 24, 32, 8, 8, 8)
        b = Inception(a.channels, 32, 32, 48, 8, 16, 16)
        c = Inception(b.channels, 48, 32, 64, 16, 24, 24)
        self.features = nn.Sequential(conv_bn(3, 32, 3, padding=1), nn.MaxPool2d(2), a, b,
                                      nn.MaxPool2d(3, 2, 1), c)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Sequential(nn.Flatten(), nn.Dropout(0.2), nn.Linear(c.channels, classes))

    def forward(self, x):
        return self.classifier(self.pool(self.features(x)))


class OpsZoo(nn.Module):
    """Input 3x32x32; one of each less common operator. Output: class probabilities."""

    def __init__(self, classes=10):
        super().__init__()
        self.pad = ZeroPad2d((1, 2, 0, 1))                         # left, right, top, bottom
        self.conv1 = nn.Conv2d(3, 16, 3)                               # 33x35 -> 31x33
        self.act1 = nn.LeakyReLU(0.1)
        self.conv2 = nn.Conv2d(16, 16, 3, padding=2, dilation=2)      # dilation 2
        self.act2 = nn.ELU()
        self.bn2 = nn.BatchNorm2d(16)                                  # standalone BN (after ELU, not foldable)
        self.pool2 = nn.MaxPool2d(3, 2, ceil_mode=True)                # 31x33 -> 15x16
        self.conv3 = nn.Conv2d(16, 32, 3, padding=1, groups=2)         # grouped conv
        self.bn3 = nn.BatchNorm2d(32)
        self.act3 = nn.Tanh()
        self.pool3 = nn.AvgPool2d(3, 2, padding=1, count_include_pad=False)  # 15x16 -> 8x8
        self.conv4 = nn.Conv2d(32, 32, 1)
        self.act4 = nn.Hardswish()
        self.register_buffer("channel_scale", torch.empty(32, 1, 1).uniform_(0.5, 1.5))
        self.conv5 = nn.Conv2d(32, 32, 3, padding=1)
        self.act5 = nn.Hardsigmoid()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(32, classes)

    def forward(self, x):
        x = self.act1(self.conv1(self.pad(x)))
        x = self.pool2(self.bn2(self.act2(self.conv2(x))))
        x = self.pool3(self.act3(self.bn3(self.conv3(x))))
        x = self.act4(self.conv4(x)) * self.channel_scale
        x = self.act5(self.conv5(x))
        return torch.softmax(self.fc(torch.flatten(self.pool(x), 1)), dim=1)
