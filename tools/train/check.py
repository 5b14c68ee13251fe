"""Checks firmware-models/ for consistency: manifest, ONNX files, golden vectors, IDX data sets."""
import gzip
import json
import struct

import numpy as np
import torch

from common import GOLDEN, OUT, THREADS, onnx_op_types

try:
    import onnx_eval
except ImportError:   # no python3-onnx
    onnx_eval = None

MB = 1 << 20


def check_idx(rel, magic, count=None):
    raw = gzip.decompress((OUT / rel).read_bytes())
    assert raw[:4] == struct.pack(">I", magic), rel
    n = struct.unpack(">I", raw[4:8])[0]
    dims = struct.unpack(f">{magic & 0xFF}I", raw[4:4 + 4 * (magic & 0xFF)])
    assert len(raw) == 4 + 4 * len(dims) + int(np.prod(dims)), rel
    assert count is None or n == count, (rel, n, count)
    return n


def main():
    torch.set_num_threads(THREADS)
    manifest = json.loads((OUT / "manifest.json").read_text())
    for m in manifest["models"]:
        name = m["name"]
        limit = (15 if name == "mobilenetv2-224" else 3) * MB if m["dataset"] is None else None
        for key in ("onnx", "bn_onnx"):
            size = (OUT / m[key]).stat().st_size
            assert limit is None or size <= limit, (m[key], size)
        ops_bn = onnx_op_types(OUT / m["bn_onnx"])
        has_bn = "BatchNormalization" in ops_bn
        sidecar = json.loads((OUT / m["golden"]).read_text())
        inp, out = sidecar["input"], sidecar["outputs"][0]
        assert inp["shape"][1:] == m["input_shape"][1:] and out["shape"] == [32, m["num_classes"]], name
        assert inp["name"] == m["input_name"] and out["name"] == m["output_name"], name
        raw = (GOLDEN / inp["file"]).read_bytes()
        raw = gzip.decompress(raw) if inp["file"].endswith(".gz") else raw
        assert len(raw) == 4 * int(np.prod(inp["shape"])), name
        outputs = np.fromfile(GOLDEN / out["file"], "<f4")
        assert outputs.size == int(np.prod(out["shape"])) and np.isfinite(outputs).all(), name
        if m["dataset"]:
            n = check_idx(m["test_data"]["images"], 0x803, m["test_count"])
            assert check_idx(m["test_data"]["labels"], 0x801) == n
            c = check_idx(m["calibration_data"]["images"], 0x803, 1000)
            assert check_idx(m["calibration_data"]["labels"], 0x801) == c
        diffs = []
        if onnx_eval:   # both ONNX files, run by the reference interpreter, against PyTorch's outputs
            x = torch.from_numpy(np.frombuffer(raw, "<f4").reshape(inp["shape"]).copy())
            expected = torch.from_numpy(outputs.reshape(out["shape"]))
            for key in ("onnx", "bn_onnx"):
                diff = (onnx_eval.run(OUT / m[key], x) - expected).abs().max().item()
                assert diff <= 5e-4 * max(1.0, expected.abs().max().item()), (m[key], diff)
                diffs.append(f"{diff:.1e}")
        print(f"ok {name}: {m['params']} params, accuracy {m['float_test_accuracy']}, "
              f"BN nodes in .bn.onnx: {has_bn}, ONNX vs golden max |diff| {' / '.join(diffs) or 'not run'}")


if __name__ == "__main__":
    main()
