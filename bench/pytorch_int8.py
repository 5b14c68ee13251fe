"""PyTorch int8 on the side-by-side benchmark's models: FX post-training static quantization, engines onednn and qnnpack.

usage: /usr/bin/python3 bench/pytorch_int8.py [--models a,b] [--threads 1,2] [--engines onednn,qnnpack]
                                              [--seconds S] [--min-runs N] [--tsv FILE]

Optional (Debian python3-torch 1.13 + python3-torchvision + python3-onnx; not part of CI's tests). For every model of
bench/peer-models.json whose ONNX file is present: the PyTorch module of the same architecture (tools/train/models.py,
torchvision) takes the weights of the model's .bn.onnx (BatchNorm kept as nodes, initializers named as the module's
state_dict) and is checked against the shipped golden outputs where there are some; then per engine
`prepare_fx(get_default_qconfig_mapping(engine))`, calibration on exactly the items Edge's converter calibrates on
(`samples` items of `calib`, item k*count/samples, preprocessed as Edge does: pixel/255, bilinear resize with
align_corners=False, gray replicated for RGB models, (x − mean)/std), `convert_fx`. Timing: batch 1 on the first item
of `input` (the input the C# benchmark feeds Edge and ONNX Runtime), torch.set_num_threads(threads), inference mode,
at least 1 s of warm-up, then runs for `--seconds` (at least `--min-runs`); p50 of the single-run times.
Prints a markdown table like the C# side's (`peers`); `--tsv` writes rows (model, MACs, threads, engine, p50 ms) for
bench/side-by-side.sh. x86 here: PyTorch 1.13 offers onednn and qnnpack (no fbgemm build). ONNX Runtime's Python
package is used for a column only when it imports; Debian has none, and then the column is left out (said on stderr).
"""
import argparse
import gzip
import json
import os
import statistics
import struct
import sys
import time
import traceback
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")   # no spinning OpenMP threads between runs on the shared cores
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
import torchvision  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools" / "train"))
import models  # noqa: E402  (tools/train/models.py: the firmware models' architectures)

ARCHITECTURES = {
    "lenet5-mnist": models.lenet5_classic,
    "lenet5-fashion": models.lenet5_bn,
    "mobilenet-fashion": models.MobileNetFashion,
    "alexnet-zoo": models.alexnet_zoo,
    "vgg-zoo": models.vgg_zoo,
    "resnet-zoo": models.ResNetZoo,
    "inception-zoo": models.InceptionZoo,
    "ops-zoo": models.OpsZoo,
    "mobilenetv2-224": lambda: torchvision.models.mobilenet_v2(weights=None),
    "resnet18-224": lambda: torchvision.models.resnet18(weights=None),
}


def read_bytes(path):
    raw = path.read_bytes()
    return gzip.decompress(raw) if path.suffix == ".gz" else raw


def read_f32(path, item_shape):
    return torch.from_numpy(np.frombuffer(read_bytes(path), dtype="<f4").copy()).view(-1, *item_shape)


def read_idx_images(path):
    raw = read_bytes(path)
    magic, count = struct.unpack(">II", raw[:8])
    assert magic == 0x803, f"{path}: not an IDX image file"
    rows, cols = struct.unpack(">II", raw[8:16])
    return np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(count, rows, cols)


def calibration_items(entry, item_shape):
    """The calibration items Edge's converter takes: item k*count/samples of `calib`, preprocessed as Edge does."""
    path = ROOT / entry["calib"]
    if ".f32" in path.name:
        data = read_f32(path, item_shape)
        prepare = lambda x: x  # noqa: E731  (already normalized)
    else:
        data = read_idx_images(path)
        norm = entry["normalization"]
        c, h, w = item_shape
        mean = torch.tensor(norm["mean"] * (c // len(norm["mean"]))).view(1, c, 1, 1)
        std = torch.tensor(norm["std"] * (c // len(norm["std"]))).view(1, c, 1, 1)

        def prepare(u8):
            x = torch.from_numpy(np.array(u8, dtype=np.float32))[:, None] / 255
            if x.shape[-2:] != (h, w):
                x = F.interpolate(x, size=(h, w), mode="bilinear", align_corners=False)
            return (x.repeat(1, c, 1, 1) - mean) / std
    count, samples = len(data), min(entry["samples"], len(data))
    indices = [k * count // samples for k in range(samples)]
    return [prepare(data[i:i + 1]) for i in indices]


def load_module(entry):
    """The architecture with the weights of the model's .bn.onnx (names = state_dict keys); eval mode."""
    import onnx
    from onnx import numpy_helper
    module = ARCHITECTURES[entry["name"]]().eval()
    bn_onnx = ROOT / entry["onnx"].replace(".onnx", ".bn.onnx")
    weights = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy()) for i in onnx.load(str(bn_onnx)).graph.initializer}
    state = module.state_dict()
    missing = [k for k in state if k not in weights and not k.endswith("num_batches_tracked")]
    if missing:
        raise RuntimeError(f"{bn_onnx.name}: no initializer for {missing[:5]}{' …' if len(missing) > 5 else ''}")
    module.load_state_dict({k: weights[k].reshape(v.shape) if k in weights else v for k, v in state.items()})
    return module


def check_golden(entry, module, item_shape):
    """Max |float PyTorch − golden| on the shipped golden inputs (None when the model has no golden outputs)."""
    name = entry["name"]
    golden_out = ROOT / "firmware-models" / "golden" / f"{name}.output.f32"
    if not golden_out.exists():
        return None
    inputs = read_f32(ROOT / entry["input"], item_shape)
    with torch.inference_mode():
        out = module(inputs)
    expected = torch.from_numpy(np.frombuffer(golden_out.read_bytes(), dtype="<f4").copy()).view(out.shape)
    return (out - expected).abs().max().item()


def count_macs(module, x):
    """Multiply-accumulates at batch 1 of Conv2d and Linear layers (the layers Edge.Core counts MACs for)."""
    total = 0

    def hook(m, inputs, out):
        nonlocal total
        if isinstance(m, torch.nn.Conv2d):
            total += out.numel() * (m.in_channels // m.groups) * m.kernel_size[0] * m.kernel_size[1]
        else:
            total += out.numel() * m.in_features
    hooks = [m.register_forward_hook(hook) for m in module.modules() if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear))]
    with torch.inference_mode():
        module(x)
    for h in hooks:
        h.remove()
    return total


def quantize(module, engine, calib, example):
    from torch.ao.quantization import get_default_qconfig_mapping
    from torch.ao.quantization.quantize_fx import convert_fx, prepare_fx
    torch.backends.quantized.engine = engine
    prepared = prepare_fx(module, get_default_qconfig_mapping(engine), example_inputs=(example,))
    with torch.inference_mode():
        for x in calib:
            prepared(x)
    return convert_fx(prepared).eval()


def p50_ms(run, seconds, min_runs):
    clock = time.perf_counter()
    while time.perf_counter() - clock < 1.0:
        run()
    times = []
    start = time.perf_counter()
    while len(times) < min_runs or time.perf_counter() - start < seconds:
        t = time.perf_counter_ns()
        run()
        times.append((time.perf_counter_ns() - t) / 1e6)
    return statistics.median(times), len(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default="")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--engines", default="onednn,qnnpack")
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--min-runs", type=int, default=20)
    ap.add_argument("--tsv", type=Path)
    args = ap.parse_args()

    catalog = json.loads((ROOT / "bench" / "peer-models.json").read_text())["models"]
    asked = [m for m in args.models.split(",") if m]
    unknown = [m for m in asked if m not in {e["name"] for e in catalog}]
    if unknown:
        sys.exit(f"pytorch_int8.py: unknown model(s) {unknown}; bench/peer-models.json has {[e['name'] for e in catalog]}")
    engines = [e for e in args.engines.split(",") if e]
    for e in engines:
        if e not in torch.backends.quantized.supported_engines:
            sys.exit(f"pytorch_int8.py: engine {e} is not in this torch's {torch.backends.quantized.supported_engines}")
    threads = [int(t) for t in args.threads.split(",")]
    try:
        import onnxruntime  # noqa: F401
        print("note: the Python onnxruntime imports, but ONNX Runtime's figures come from the C# benchmark (bench/README.md)",
              file=sys.stderr)
    except ImportError:
        print("note: no Python onnxruntime here (Debian ships none): no ORT column from this script; "
              "ONNX Runtime is measured by the C# benchmark (`peers`)", file=sys.stderr)

    rows, skipped, failed = [], [], []
    for entry in catalog:
        name = entry["name"]
        if asked and name not in asked:
            continue
        if not (ROOT / entry["onnx"]).exists():
            skipped.append(f"skipped {name}: {entry['onnx']} is absent; make it with "
                           f"`{entry.get('make') or 'tools/train/export_all.sh'}` (bench/README.md)")
            continue
        try:
            module = load_module(entry)
            item_shape = tuple(_input_shape(entry))
            err = check_golden(entry, module, item_shape)
            x = read_f32(ROOT / entry["input"], item_shape)[:1].contiguous()
            macs = count_macs(module, x)
            calib = calibration_items(entry, item_shape)
            quantized = {e: quantize(module, e, calib, x) for e in engines}
        except Exception as ex:  # one model that PyTorch cannot trace or quantize does not stop the others
            failed.append(f"failed {name}: {type(ex).__name__}: {str(ex).splitlines()[0] if str(ex) else ''}")
            if os.environ.get("EDGE_BENCH_TRACE"):
                traceback.print_exc()
            continue
        check = "no golden outputs" if err is None else f"float vs golden max |diff| {err:.2e}"
        print(f"{name}: {macs / 1e6:.2f} M MACs, {len(calib)} calibration items, {check}", file=sys.stderr, flush=True)
        for t in threads:
            torch.set_num_threads(t)
            for e in engines:   # engines alternate per thread count: a load that comes and goes hits both alike
                torch.backends.quantized.engine = e
                q = quantized[e]
                with torch.inference_mode():
                    ms, n = p50_ms(lambda: q(x), args.seconds, args.min_runs)
                rows.append((name, macs, t, f"pytorch-{e}-int8", ms))
                print(f"  {t} thread(s) {e}: p50 {ms:.3f} ms over {n} runs", file=sys.stderr, flush=True)

    print("| model | MACs | threads | " + " | ".join(f"PyTorch {e} int8 p50 (ms)" for e in engines) + " |")
    print("| --- | ---: | ---: | " + " | ".join("---:" for _ in engines) + " |")
    by_key = {(r[0], r[2], r[3]): r for r in rows}
    for name, macs, t in dict.fromkeys((r[0], r[1], r[2]) for r in rows):
        cells = [by_key.get((name, t, f"pytorch-{e}-int8")) for e in engines]
        print(f"| {name} | {macs / 1e6:.2f} M | {t} | " + " | ".join(f"{c[4]:.3f}" if c else "–" for c in cells) + " |")
    for line in skipped + failed:
        print(line)
    if args.tsv:
        args.tsv.write_text("".join(f"{n}\t{m}\t{t}\t{e}\t{ms!r}\t\n" for n, m, t, e, ms in rows))
    return 0


def _input_shape(entry):
    """[C, H, W] of one item: the ONNX model's input with the batch axis dropped."""
    import onnx
    graph = onnx.load(str(ROOT / entry["onnx"]), load_external_data=False).graph
    dims = graph.input[0].type.tensor_type.shape.dim
    return [d.dim_value for d in dims[1:]]


if __name__ == "__main__":
    sys.exit(main())
