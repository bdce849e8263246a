#!/usr/bin/env python3
"""Generate a BERT-shaped sentence-transformers model folder whose weights pass 1 GiB.

usage: make_model.py OUT_DIR --tokenizer-from models/all-minilm-l6-v2
           [--hidden 1024] [--layers 20] [--intermediate 4096] [--heads 16]

The folder is what `modeld` recognises as `bert-embedding`: config.json, model.safetensors
with the Hugging Face BERT tensor names of all-MiniLM-L6-v2 (same names, dtypes and shape
pattern, larger dimensions), the MiniLM tokenizer files copied verbatim, modules.json,
1_Pooling/config.json, sentence_bert_config.json, and a model.yaml whose sha256 makes
step 5 verify the digest.

Values are F32, small and finite so the warm-up inference stays finite: matrices and
embeddings are normal * 0.02 (drawn once into a pool of about a million values with a fixed
seed, then read from a different offset per tensor, which is fast in pure Python and needs
no numpy); LayerNorm weights are 1, every bias is 0, position_ids count 0..511 (I64).

Idempotent: a folder whose `.generator` stamp names the same parameters is left alone. The
folder is written next to OUT_DIR and renamed into place, so an interrupted run leaves
nothing that looks complete. Prints the folder, the weights' size and their SHA-256.
"""

from __future__ import annotations

import argparse
import array
import hashlib
import json
import os
import pathlib
import random
import shutil
import struct
import sys

GENERATOR_VERSION = 1
SEED = 20240601
POOL_SIZE = 1_000_003  # prime, so rows of consecutive tensors do not line up
MAX_POSITIONS = 512
TYPE_VOCAB = 2
TOKENIZER_FILES = ["vocab.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"]
CHUNK_ELEMENTS = 1 << 20


def tensor_specs(hidden: int, layers: int, intermediate: int, vocab: int) -> list[tuple[str, str, list[int]]]:
    """(name, dtype, shape) of every tensor, with MiniLM's names."""
    specs = [
        ("embeddings.position_ids", "I64", [1, MAX_POSITIONS]),
        ("embeddings.word_embeddings.weight", "F32", [vocab, hidden]),
        ("embeddings.position_embeddings.weight", "F32", [MAX_POSITIONS, hidden]),
        ("embeddings.token_type_embeddings.weight", "F32", [TYPE_VOCAB, hidden]),
        ("embeddings.LayerNorm.weight", "F32", [hidden]),
        ("embeddings.LayerNorm.bias", "F32", [hidden]),
    ]
    for i in range(layers):
        p = f"encoder.layer.{i}."
        for name in ("query", "key", "value"):
            specs += [(f"{p}attention.self.{name}.weight", "F32", [hidden, hidden]),
                      (f"{p}attention.self.{name}.bias", "F32", [hidden])]
        specs += [
            (f"{p}attention.output.dense.weight", "F32", [hidden, hidden]),
            (f"{p}attention.output.dense.bias", "F32", [hidden]),
            (f"{p}attention.output.LayerNorm.weight", "F32", [hidden]),
            (f"{p}attention.output.LayerNorm.bias", "F32", [hidden]),
            (f"{p}intermediate.dense.weight", "F32", [intermediate, hidden]),
            (f"{p}intermediate.dense.bias", "F32", [intermediate]),
            (f"{p}output.dense.weight", "F32", [hidden, intermediate]),
            (f"{p}output.dense.bias", "F32", [hidden]),
            (f"{p}output.LayerNorm.weight", "F32", [hidden]),
            (f"{p}output.LayerNorm.bias", "F32", [hidden]),
        ]
    specs += [("pooler.dense.weight", "F32", [hidden, hidden]), ("pooler.dense.bias", "F32", [hidden])]
    return specs


def element_count(shape: list[int]) -> int:
    n = 1
    for d in shape:
        n *= d
    return n


def header_bytes(specs: list[tuple[str, str, list[int]]]) -> bytes:
    """The safetensors header: 8-byte little-endian length, then JSON padded with spaces to
    a multiple of 8 so the data that follows is aligned."""
    header: dict[str, object] = {"__metadata__": {"format": "pt"}}
    offset = 0
    for name, dtype, shape in specs:
        size = element_count(shape) * (8 if dtype == "I64" else 4)
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + size]}
        offset += size
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text


class WeightWriter:
    """Writes tensor data to a file and hashes it on the way."""

    def __init__(self, path: pathlib.Path) -> None:
        self.file = open(path, "wb")
        self.digest = hashlib.sha256()
        rng = random.Random(SEED)
        pool = array.array("f", (rng.gauss(0.0, 0.02) for _ in range(POOL_SIZE)))
        # Twice the pool back to back: any offset can take a slice of up to POOL_SIZE values.
        self.pool = memoryview((pool + pool).tobytes())
        self.rng = rng

    def write(self, data: bytes | memoryview) -> None:
        self.file.write(data)
        self.digest.update(data)

    def constant(self, value: float, count: int) -> None:
        chunk = memoryview((array.array("f", [value]) * min(count, CHUNK_ELEMENTS)).tobytes())
        while count > 0:
            n = min(count, CHUNK_ELEMENTS)
            self.write(chunk[: n * 4])
            count -= n

    def normal(self, count: int) -> None:
        offset = self.rng.randrange(POOL_SIZE)
        while count > 0:
            n = min(count, POOL_SIZE)
            self.write(self.pool[offset * 4:(offset + n) * 4])
            count -= n
            offset = (offset + n) % POOL_SIZE

    def close(self) -> str:
        self.file.close()
        return self.digest.hexdigest()


def write_weights(path: pathlib.Path, specs: list[tuple[str, str, list[int]]]) -> str:
    writer = WeightWriter(path)
    writer.write(header_bytes(specs))
    for name, dtype, shape in specs:
        count = element_count(shape)
        if dtype == "I64":
            writer.write(array.array("q", range(count)).tobytes())
        elif "LayerNorm.weight" in name:
            writer.constant(1.0, count)
        elif name.endswith(".bias"):
            writer.constant(0.0, count)
        else:
            writer.normal(count)
    return writer.close()


def bert_config(args: argparse.Namespace, vocab: int) -> dict[str, object]:
    return {
        "architectures": ["BertModel"], "attention_probs_dropout_prob": 0.1, "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1, "hidden_size": args.hidden, "initializer_range": 0.02,
        "intermediate_size": args.intermediate, "layer_norm_eps": 1e-12,
        "max_position_embeddings": MAX_POSITIONS, "model_type": "bert",
        "num_attention_heads": args.heads, "num_hidden_layers": args.layers, "pad_token_id": 0,
        "position_embedding_type": "absolute", "type_vocab_size": TYPE_VOCAB, "vocab_size": vocab,
    }


def write_json(path: pathlib.Path, value: object) -> None:
    path.write_text(json.dumps(value, indent=2) + "\n")


def generate(out: pathlib.Path, source: pathlib.Path, args: argparse.Namespace, stamp: str) -> None:
    vocab = sum(1 for _ in open(source / "vocab.txt", encoding="utf-8"))
    partial = out.with_name(out.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    (partial / "1_Pooling").mkdir(parents=True)
    for name in TOKENIZER_FILES:
        shutil.copyfile(source / name, partial / name)
    write_json(partial / "config.json", bert_config(args, vocab))
    write_json(partial / "modules.json", [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
    ])
    write_json(partial / "1_Pooling" / "config.json", {
        "word_embedding_dimension": args.hidden, "pooling_mode_cls_token": False,
        "pooling_mode_mean_tokens": True, "pooling_mode_max_tokens": False,
        "pooling_mode_mean_sqrt_len_tokens": False,
    })
    write_json(partial / "sentence_bert_config.json", {"max_seq_length": 256, "do_lower_case": False})
    digest = write_weights(partial / "model.safetensors", tensor_specs(args.hidden, args.layers, args.intermediate, vocab))
    (partial / "model.yaml").write_text(
        "# Generated by Benchmarks/load/make_model.py for `scripts/bench load`: random weights.\n"
        "runtime: bert-embedding\nrequired: true\nload: startup\n"
        f'files:\n  model.safetensors: {{ sha256: "{digest}" }}\n')
    (partial / ".generator").write_text(stamp)
    shutil.rmtree(out, ignore_errors=True)
    os.replace(partial, out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=pathlib.Path)
    parser.add_argument("--tokenizer-from", type=pathlib.Path, required=True)
    parser.add_argument("--hidden", type=int, default=1024)
    parser.add_argument("--layers", type=int, default=20)
    parser.add_argument("--intermediate", type=int, default=4096)
    parser.add_argument("--heads", type=int, default=16)
    args = parser.parse_args()
    if args.hidden % args.heads:
        sys.exit("make_model.py: --hidden must be a multiple of --heads")
    stamp = json.dumps({"version": GENERATOR_VERSION, "seed": SEED, "hidden": args.hidden, "layers": args.layers,
                        "intermediate": args.intermediate, "heads": args.heads}, sort_keys=True) + "\n"
    out = args.out.resolve()
    stamp_path = out / ".generator"
    if not (stamp_path.exists() and stamp_path.read_text() == stamp and (out / "model.yaml").exists()):
        generate(out, args.tokenizer_from.resolve(), args, stamp)
    weights = out / "model.safetensors"
    digest = (out / "model.yaml").read_text().split('sha256: "')[1].split('"')[0]
    print(f"model_dir={out}\nweights_bytes={weights.stat().st_size}\nsha256={digest}")


if __name__ == "__main__":
    main()
