"""The texts `scripts/bench embed` sends, shared by the modeld client and the PyTorch reference
so both encode exactly the same inputs."""

SHORT_SENTENCE = "hello world, this is a short sentence"

MEDIUM_BASE = [
    "The quick brown fox jumps over the lazy dog while the farmer watches from the porch",
    "Search engines rank documents by their relevance to the query that a user typed in",
    "A man is playing a guitar on the stage tonight in front of a large and happy crowd",
    "Transformers mix information across all of the tokens of a sentence with attention",
]


def medium_batch(size: int = 32) -> list[str]:
    """`size` medium sentences (about 20 tokens each), all different."""
    return [f"{MEDIUM_BASE[i % len(MEDIUM_BASE)]} number {i}" for i in range(size)]


def percentile(samples: list[float], fraction: float) -> float:
    """The nearest-rank percentile of `samples` (not modified)."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, int(round(fraction * len(ordered))) - 1))]
