#!/usr/bin/env python3
"""Reference embeddings and throughput for the bert-embedding runtime.

Runs sentence-transformers on CPU PyTorch over the model folder and writes, for each input,
the Hugging Face token ids and the expected embedding (7 significant digits) to a JSON
fixture the Swift tests read. With --bench it also measures encode throughput for batches
of 32 short sentences with the given number of threads.

Setup (outside the repository; never commit the venv):
    python3 -m venv /tmp/bert-venv
    /tmp/bert-venv/bin/pip install torch==2.13.0 sentence-transformers==6.2.0   (plain PyPI: its torch 2.13.0 wheel is the CPU build)
Usage:
    /tmp/bert-venv/bin/python Tests/e2e/tools/reference_embeddings.py \
        --model /work/minilm --out Tests/ModelRuntimeTests/Fixtures/minilm_reference.json
    /tmp/bert-venv/bin/python Tests/e2e/tools/reference_embeddings.py --model /work/minilm --bench
"""

import argparse
import json
import time

import sentence_transformers
import torch
from sentence_transformers import SentenceTransformer

SENTENCES = [
    "hello world",
    "The quick brown fox jumps over the lazy dog.",
    "A man is playing a guitar on stage.",
    "Search engines rank documents by relevance to a query.",
    "What is the capital of France?",
    "Paris is the capital and most populous city of France.",
    "I can't believe it's not butter!",
    "Numbers: 3.14159, 2.71828 and 1,000,000.",
    "e-mail me at someone@example.com or call +1 (555) 010-9999",
    "MiXeD CaSe TeXt WiTh SHOUTING and whispering",
    "Café, naïve, résumé, façade, jalapeño, Ångström.",
    "東京は日本の首都です。",
    "北京欢迎你",
    "Emoji are tricky 🚀🔥👍 for tokenizers.",
    "",
    "   ",
    "a",
    "[SEP] literal special tokens [CLS] inside the text",
    "Tabs\tand\nnewlines\r\nare whitespace too.",
    "Ünïcödé àccents get stripped by the uncased tokenizer.",
    "The mitochondria is the powerhouse of the cell.",
    "Transformers use self-attention to mix information across tokens.",
    "Bonjour tout le monde, comment ça va ?",
    "¿Dónde está la biblioteca?",
    "Привет, как дела?",
    "SELECT * FROM users WHERE id = 42;",
    "def f(x): return x ** 2 + 1",
    "!!!???...,,,;;;:::",
    " ".join(["antidisestablishmentarianism"] * 3),
    "The cat sat on the mat. " * 60,
    "Over-length prose: " + " ".join(f"sentence number {i} keeps going past the limit." for i in range(40)),
    "2026-11-22T05:44:30Z 404 Not Found; retry in 3.5s (attempt 7/10)",
    "Version 1.2.3-beta+exp.sha.5114f85 released on 12/31/1999",
    "iPhone, MacBook, and PlayStation are CamelCase brand names.",
    "HTTP/1.1 200 OK\r\nContent-Length: 42",
    "Zoë and Chloë visited Košice, Łódź and Reykjavík.",
    "Straße, Ærøskøbing, Ñandú, crème brûlée",
    "한국어 문장도 처리해야 합니다.",
    "日本語とEnglishが混ざったmixed文章です。",
    "中文、日本語、한국어 mixed with Latin.",
    "Family emoji 👨‍👩‍👧‍👦 and flags 🇫🇷🇯🇵 with skin tones 👋🏽",
    "🙂",
    "\t\n  \r\n",
    "[CLS] [SEP] [PAD] [MASK] [UNK]",
    "text before[SEP]text after",
    "URL: https://example.org/path?query=value&x=1#frag",
    "C++ and C# are languages; so is F#.",
    "$100.00 + €50,5 = ¥?  (100%)",
    "He said, \"It's fine\" -- then left...",
    "supercalifragilisticexpialidocious pneumonoultramicroscopicsilicovolcanoconiosis",
    "The Eiffel Tower is 330 metres tall.",
    "Machine learning models map text to dense vectors.",
    "Climate change affects global weather patterns significantly.",
    "0123456789 9876543210 3141592653589793",
    "ALL CAPS SENTENCE FOR EMPHASIS",
    "Ελληνικά γράμματα και αριθμοί 123",
    "عربي نص قصير",
    "a b c d e f g h i j k l m n o p q r s t u v w x y z",
    "Medium length sentence about databases, indexes and query planners. " * 4,
]


def format_vector(vector):
    return "[" + ",".join(f"{value:.7g}" for value in vector) + "]"


def write_fixture(model, path):
    features = model.tokenize(SENTENCES)
    embeddings = model.encode(SENTENCES, batch_size=32, convert_to_numpy=True)
    lines = []
    for index, text in enumerate(SENTENCES):
        mask = features["attention_mask"][index].tolist()
        ids = [token for token, keep in zip(features["input_ids"][index].tolist(), mask) if keep]
        lines.append(
            "    {" + f'"text": {json.dumps(text, ensure_ascii=False)}, "ids": {json.dumps(ids)}, '
            + f'"embedding": {format_vector(embeddings[index])}' + "}"
        )
    header = {
        "generator": "Tests/e2e/tools/reference_embeddings.py",
        "sentence_transformers": sentence_transformers.__version__,
        "torch": torch.__version__,
        "max_seq_length": model.max_seq_length,
    }
    with open(path, "w", encoding="utf-8") as out:
        out.write("{\n")
        for key, value in header.items():
            out.write(f"  {json.dumps(key)}: {json.dumps(value)},\n")
        out.write('  "cases": [\n' + ",\n".join(lines) + "\n  ]\n}\n")


def bench(model, threads, seconds):
    torch.set_num_threads(threads)
    base = [
        "The quick brown fox jumps over the lazy dog today",
        "Search engines rank documents by relevance to queries",
        "A man is playing a guitar on the stage tonight",
        "Transformers mix information across all of the tokens",
    ]
    batch = [base[i % len(base)] + f" {i}" for i in range(32)]
    lengths = [len(ids) for ids in model.tokenizer(batch)["input_ids"]]
    model.encode(batch, batch_size=32)
    done = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        model.encode(batch, batch_size=32)
        done += len(batch)
    elapsed = time.perf_counter() - start
    print(f"sentence-transformers {sentence_transformers.__version__} torch {torch.__version__} "
          f"threads={threads} batch=32 tokens/sentence={sum(lengths) / len(lengths):.1f}: "
          f"{done / elapsed:.1f} sentences/s")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="/work/minilm")
    parser.add_argument("--out")
    parser.add_argument("--bench", action="store_true")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()
    model = SentenceTransformer(args.model, device="cpu")
    if args.out:
        write_fixture(model, args.out)
    if args.bench:
        bench(model, args.threads, args.seconds)


if __name__ == "__main__":
    main()
