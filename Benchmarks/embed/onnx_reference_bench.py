#!/usr/bin/env python3
"""ONNX Runtime on CPU, measured like modeld in `scripts/bench embed`.

usage: onnx_reference_bench.py MODEL_DIR MODEL.onnx --threads T --single N --seconds S

MODEL.onnx is the encoder exported from MODEL_DIR's weights (export_onnx.py). Tokenization
is MODEL_DIR's tokenizer.json through the `tokenizers` library (what sentence-transformers
uses), truncated to 256 tokens; pooling is the attention-masked mean, L2-normalized, in
NumPy: the same pipeline as modeld's and sentence-transformers'. The session runs with
intra_op_num_threads=T, inter_op_num_threads=1, sequential execution and every graph
optimization. Prints one JSON object like reference_bench.py's (CPU times included), plus max_cosine_gap: the
largest 1 - cosine between its vectors and sentence-transformers' on the benchmark's texts
when sentence-transformers is importable (else null).
"""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference_timing  # noqa: E402
import workload  # noqa: E402

MAX_TOKENS = 256


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("model_dir")
    parser.add_argument("onnx")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--single", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()

    start = time.perf_counter()
    import numpy as np
    import onnxruntime
    from tokenizers import Tokenizer
    import_s = time.perf_counter() - start

    start = time.perf_counter()
    tokenizer = Tokenizer.from_file(os.path.join(args.model_dir, "tokenizer.json"))
    tokenizer.enable_truncation(MAX_TOKENS)
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = args.threads
    options.inter_op_num_threads = 1
    options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    session = onnxruntime.InferenceSession(args.onnx, options, providers=["CPUExecutionProvider"])
    load_s = time.perf_counter() - start

    def encode(texts: list[str]) -> "np.ndarray":
        encodings = tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        types = np.zeros_like(ids)
        hidden = session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": types})[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)

    timings = reference_timing.measure(encode, args.single, args.seconds)
    print(json.dumps({
        "import_s": import_s, "load_s": load_s, **timings,
        "max_cosine_gap": cosine_gap(args.model_dir, encode(workload.medium_batch() + [workload.SHORT_SENTENCE])),
        "versions": f"onnxruntime {onnxruntime.__version__} ({args.threads} intra-op threads)",
    }))


def cosine_gap(model_dir: str, ours: "object") -> float | None:
    """Largest 1 - cosine between `ours` and sentence-transformers' vectors of the same texts."""
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError:
        return None
    theirs = SentenceTransformer(model_dir, device="cpu").encode(workload.medium_batch() + [workload.SHORT_SENTENCE],
                                                                 normalize_embeddings=True)
    return float((1 - (ours * theirs).sum(axis=1)).max())


if __name__ == "__main__":
    main()
