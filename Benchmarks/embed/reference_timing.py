"""The timing both in-process references of `scripts/bench embed` run (onnx_reference_bench.py
and reference_bench.py), so they measure their `encode` exactly alike.

`measure(encode, single, seconds)` warms up, then times `single` calls of `encode` on the
short sentence (p50/p99 in ms) and calls on the batch of 32 medium sentences for `seconds`
(sentences per second, after one warm-up batch), with this process's CPU time per call and
per batch; `encode` takes a list of texts.
"""

import time
from typing import Callable

import workload


def measure(encode: Callable[[list[str]], object], single: int, seconds: float) -> dict:
    """single_p50_ms, single_p99_ms, batch32_per_s, single_cpu_ms and batch32_cpu_ms of `encode`."""
    encode([workload.SHORT_SENTENCE])
    samples = []
    cpu_start = time.process_time()
    for _ in range(single):
        start = time.perf_counter()
        encode([workload.SHORT_SENTENCE])
        samples.append((time.perf_counter() - start) * 1000)
    single_cpu_ms = (time.process_time() - cpu_start) * 1000 / single

    batch = workload.medium_batch()
    encode(batch)
    done = 0
    cpu_start = time.process_time()
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        encode(batch)
        done += len(batch)
    rate = done / (time.perf_counter() - start)
    batch_cpu_ms = (time.process_time() - cpu_start) * 1000 * len(batch) / done
    return {
        "single_p50_ms": workload.percentile(samples, 0.50), "single_p99_ms": workload.percentile(samples, 0.99),
        "batch32_per_s": rate, "single_cpu_ms": single_cpu_ms, "batch32_cpu_ms": batch_cpu_ms,
    }
