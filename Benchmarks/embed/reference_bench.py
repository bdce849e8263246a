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
import workload  # noqa: E402


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

    model.encode([workload.SHORT_SENTENCE])
    samples = []
    cpu_start = time.process_time()
    for _ in range(args.single):
        start = time.perf_counter()
        model.encode([workload.SHORT_SENTENCE])
        samples.append((time.perf_counter() - start) * 1000)
    single_cpu_ms = (time.process_time() - cpu_start) * 1000 / args.single

    batch = workload.medium_batch()
    model.encode(batch, batch_size=32)
    done = 0
    cpu_start = time.process_time()
    start = time.perf_counter()
    while time.perf_counter() - start < args.seconds:
        model.encode(batch, batch_size=32)
        done += len(batch)
    rate = done / (time.perf_counter() - start)
    batch_cpu_ms = (time.process_time() - cpu_start) * 1000 * len(batch) / done

    print(json.dumps({
        "import_s": import_s, "load_s": load_s,
        "single_p50_ms": workload.percentile(samples, 0.50), "single_p99_ms": workload.percentile(samples, 0.99),
        "batch32_per_s": rate, "single_cpu_ms": single_cpu_ms, "batch32_cpu_ms": batch_cpu_ms,
        "versions": f"sentence-transformers {sentence_transformers.__version__}, torch {torch.__version__}",
    }))


if __name__ == "__main__":
    main()
