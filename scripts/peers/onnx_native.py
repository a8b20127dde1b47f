"""Export the shipped network to ONNX through its PyTorch twin and time ONNX Runtime on the CPU
against our Flex timing, on the inputs examples/peers_export.rs wrote (scripts/bench-peers.sh).

    python scripts/peers/onnx_native.py FOLDER

For each working size in FOLDER/timing.json: checks that the twin and ONNX Runtime agree with
our logits (largest difference of the class probabilities), writes FOLDER/colorizer-S.onnx
(fixed shape: the trunk's 'SAME' padding depends on the size), and times ONNX Runtime with as
many threads as Flex uses (every core). Writes FOLDER/native.json.
"""
import json
import os
import statistics
import sys
import time

import numpy as np
import onnxruntime as ort
import torch

sys.path.insert(0, os.path.dirname(__file__))
from twin import Twin, load_weights, reference_width  # noqa: E402

RUNS = 10
# Class probabilities may differ this much: float sums in another order.
TOLERANCE = 1e-3


def probabilities(logits):
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def median_ms(run):
    run()
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def main(folder):
    config, tensors = load_weights(folder)
    twin = Twin(config, tensors).eval()
    ours_ms = json.load(open(os.path.join(folder, "timing.json")))
    threads = os.cpu_count()
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    results = {"threads": threads, "onnxruntime": ort.__version__, "sizes": {}}
    for size_text, ours in ours_ms.items():
        size = int(size_text)
        inputs = np.fromfile(os.path.join(folder, f"input-{size}.bin"), dtype="<f4").reshape(1, 4, size, size)
        reference = np.zeros((1, reference_width(tensors)), dtype=np.float32)
        with torch.no_grad():
            twin_logits = twin(torch.from_numpy(inputs), torch.from_numpy(reference)).numpy()
        our_logits = np.fromfile(os.path.join(folder, f"logits-{size}.bin"), dtype="<f4").reshape(twin_logits.shape)
        path = os.path.join(folder, f"colorizer-{size}.onnx")
        torch.onnx.export(twin, (torch.from_numpy(inputs), torch.from_numpy(reference)), path, dynamo=False,
                          opset_version=17, input_names=["input", "reference"], output_names=["logits"])
        session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
        feed = {"input": inputs, "reference": reference}
        ort_logits = session.run(None, feed)[0]
        twin_diff = float(np.abs(probabilities(twin_logits) - probabilities(our_logits)).max())
        ort_diff = float(np.abs(probabilities(ort_logits) - probabilities(our_logits)).max())
        if max(twin_diff, ort_diff) > TOLERANCE:
            raise SystemExit(f"size {size}: the exported network disagrees with ours "
                             f"(class probabilities differ by {max(twin_diff, ort_diff):.2e})")
        ort_ms = median_ms(lambda: session.run(None, feed))
        ratio = ort_ms / ours
        print(f"working size {size}: ONNX Runtime {ort_ms:.1f} ms, burn Flex {ours:.1f} ms "
              f"(ratio {ratio:.2f}; probabilities agree to {ort_diff:.1e}, the twin to {twin_diff:.1e}; "
              f"{threads} threads)")
        results["sizes"][size] = {"onnxruntime_ms": ort_ms, "burn_ms": ours, "ratio": ratio,
                                  "max_probability_difference": ort_diff, "onnx": os.path.basename(path)}
    json.dump(results, open(os.path.join(folder, "native.json"), "w"), indent=1)


if __name__ == "__main__":
    main(sys.argv[1])
