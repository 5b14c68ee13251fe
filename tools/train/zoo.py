"""Operator-coverage zoo: seeded random weights, BN statistics from train-mode forwards, then export.

usage: /usr/bin/python3 tools/train/zoo.py {all,alexnet-zoo,vgg-zoo,resnet-zoo,inception-zoo,ops-zoo,mobilenetv2-224}
mobilenetv2-224 reads firmware-models/data (run prepare_data.py first).
"""
import argparse

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

import models
from common import (GOLDEN_COUNT, IMAGENET_NORM, OUT, count_params, export_onnx, load_committed, log,
                    manifest_entry, seed_everything, update_manifest, write_golden)

SEED = 4321
MB = 1 << 20

ZOO = {
    # name: (constructor, input shape, output name, opset, size limit per ONNX file)
    "alexnet-zoo": (models.alexnet_zoo, (1, 3, 64, 64), "logits", 13, 3 * MB),
    "vgg-zoo": (models.vgg_zoo, (1, 3, 32, 32), "logits", 13, 3 * MB),
    "resnet-zoo": (models.ResNetZoo, (1, 3, 32, 32), "logits", 13, 3 * MB),
    "inception-zoo": (models.InceptionZoo, (1, 3, 32, 32), "logits", 13, 3 * MB),
    # opset 14: torch 1.13 exports nn.Hardswish as HardSigmoid + Mul(x, .) below opset 14
    "ops-zoo": (models.OpsZoo, (1, 3, 32, 32), "probs", 14, 3 * MB),
    "mobilenetv2-224": (lambda: torchvision.models.mobilenet_v2(weights=None), (1, 3, 224, 224),
                        "logits", 13, 15 * MB),
}


def fashion_as_imagenet(u8):
    """Fashion-MNIST uint8 [N,28,28] -> pixel/255, bilinear resize to 224 (align_corners=False),
    replicated to 3 channels, normalized with the ImageNet mean/std. float32 [N,3,224,224]."""
    x = torch.from_numpy(u8).float()[:, None] / 255
    x = F.interpolate(x, size=(224, 224), mode="bilinear", align_corners=False).repeat(1, 3, 1, 1)
    mean = torch.tensor(IMAGENET_NORM["mean"]).view(1, 3, 1, 1)
    std = torch.tensor(IMAGENET_NORM["std"]).view(1, 3, 1, 1)
    return ((x - mean) / std).contiguous()


def calibration_batches(name, shape, gen):
    if name == "mobilenetv2-224":
        images, _ = load_committed("fashion", "calib")
        return [fashion_as_imagenet(images[i:i + 16]) for i in range(0, 128, 16)]
    return [torch.randn((64, *shape[1:]), generator=gen) for _ in range(8)]


@torch.no_grad()
def make_nontrivial(model, batches):
    """Random BN affine parameters, BN running stats averaged over train-mode forwards of `batches`, and
    the last Linear shifted and scaled so that on those batches each logit has mean 0 and all have std 2
    (a random net's logits barely depend on its input otherwise)."""
    bns = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    for bn in bns:
        bn.weight.uniform_(0.5, 1.5)
        bn.bias.normal_(0.0, 0.2)
        bn.reset_running_stats()
        bn.momentum = None          # cumulative average over all calibration batches
    model.train()
    for x in batches:
        model(x)
    for bn in bns:
        bn.momentum = 0.1
    model.eval()
    fc = [m for m in model.modules() if isinstance(m, nn.Linear)][-1]
    logits = []
    hook = fc.register_forward_hook(lambda m, i, o: logits.append(o))
    for x in batches:
        model(x)
    hook.remove()
    logits = torch.cat(logits)
    mean = logits.mean(0)
    scale = 2.0 / (logits - mean).std().item()
    fc.weight.mul_(scale)
    fc.bias.sub_(mean).mul_(scale)


def build(name):
    ctor, shape, output_name, opset, limit = ZOO[name]
    seed_everything(SEED)
    gen = torch.Generator().manual_seed(SEED)
    model = ctor()
    make_nontrivial(model, calibration_batches(name, shape, gen))
    ops = export_onnx(model, name, shape, output_name, opset)
    for suffix in (".onnx", ".bn.onnx"):
        size = (OUT / f"{name}{suffix}").stat().st_size
        assert size <= limit, f"{name}{suffix}: {size} bytes > {limit}"

    if name == "mobilenetv2-224":
        images, _ = load_committed("fashion", "test")
        inputs, gz, norm = fashion_as_imagenet(images[:GOLDEN_COUNT]), True, IMAGENET_NORM
        how = (f"first {GOLDEN_COUNT} images of fashion-test (firmware-models/data): pixel/255, bilinear "
               "resize 28->224 (align_corners=False), replicated to 3 channels, (x - mean)/std with the "
               "ImageNet mean/std; file is gzip-compressed")
    else:
        inputs = torch.randn((GOLDEN_COUNT, *shape[1:]), generator=gen)
        gz, norm = False, IMAGENET_NORM
        how = f"torch.randn with a torch.Generator seeded {SEED}, drawn after the BN calibration batches"
    write_golden(model, name, inputs, output_name, {"seed": SEED, "inputs": how}, gz=gz)
    classes = 1000 if name == "mobilenetv2-224" else 10
    update_manifest(manifest_entry(name, model, shape, output_name, classes, norm=norm, opset=opset,
                                   ops=ops, command=f"tools/train/zoo.py {name}"))
    log(f"{name}: {count_params(model)} params")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("name", choices=["all", *ZOO])
    args = ap.parse_args()
    for name in (ZOO if args.name == "all" else [args.name]):
        build(name)


if __name__ == "__main__":
    main()
