#!/usr/bin/env python3
"""sentence-transformers on CPU PyTorch, measured like modeld in `scripts/bench embed`.

usage: reference_bench.py MODEL_DIR --threads T --single N --seconds S

Prints one JSON object: import_s (importing torch and sentence-transformers), load_s
(SentenceTransformer(MODEL_DIR)), single_p50_ms / single_p99_ms (N calls of encode on one
short sentence), batch32_per_s (sentences per second encoding batches of 32 medium
sentences for S seconds after one warm-up batch), single_cpu_ms / batch32_cpu_ms (this
process's CPU time per call and per batch of 32), versions.
"""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference_timing  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("model_dir")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--single", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()

    start = time.perf_counter()
    import sentence_transformers
    import torch
    from sentence_transformers import SentenceTransformer
    import_s = time.perf_counter() - start
    torch.set_num_threads(args.threads)

    start = time.perf_counter()
    model = SentenceTransformer(args.model_dir, device="cpu")
    load_s = time.perf_counter() - start

    timings = reference_timing.measure(lambda texts: model.encode(texts, batch_size=32), args.single, args.seconds)
    print(json.dumps({
        "import_s": import_s, "load_s": load_s, **timings,
        "versions": f"sentence-transformers {sentence_transformers.__version__}, torch {torch.__version__}",
    }))


if __name__ == "__main__":
    main()
