#!/usr/bin/env python3
"""Exports a sentence-transformers BERT model's encoder to ONNX for the ONNX Runtime reference
of `scripts/bench embed` (Benchmarks/embed/onnx_reference_bench.py).

usage: export_onnx.py MODEL_DIR OUT.onnx

The graph is the transformer only (input_ids, attention_mask, token_type_ids ->
last_hidden_state), exported from the same weights with torch.onnx.export (TorchScript
exporter, opset 17, batch and sequence axes dynamic); tokenization and mean pooling stay
outside, as in modeld. Prints the largest difference to PyTorch's output on two sentences.
"""

import sys

import torch
from sentence_transformers import SentenceTransformer


def main() -> None:
    model_dir, out = sys.argv[1], sys.argv[2]
    # Eager attention: the SDPA path's mask handling is traced as constants for the sample shape.
    encoder = SentenceTransformer(model_dir, device="cpu", model_kwargs={"attn_implementation": "eager"})[0]
    bert, tokenizer = encoder.auto_model.eval(), encoder.tokenizer
    sample = tokenizer(["hello world", "a slightly longer sentence to pad against"], padding=True,
                       return_tensors="pt")
    inputs = (sample["input_ids"], sample["attention_mask"], sample["token_type_ids"])

    class Encoder(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask, token_type_ids):  # noqa: ANN001
            return self.bert(input_ids=input_ids, attention_mask=attention_mask,
                             token_type_ids=token_type_ids).last_hidden_state

    axes = {0: "batch", 1: "sequence"}
    with torch.no_grad():
        # PyTorch's answer first: computed after the export, on the module the export traced,
        # it came out up to 1.1 off on real tokens, while the exported graph matches a fresh
        # model to 2e-6 (eager and SDPA attention alike).
        expected = Encoder()(*inputs).numpy()
        torch.onnx.export(Encoder(), inputs, out, input_names=["input_ids", "attention_mask", "token_type_ids"],
                          output_names=["last_hidden_state"], opset_version=17, dynamo=False,
                          dynamic_axes={"input_ids": axes, "attention_mask": axes, "token_type_ids": axes,
                                        "last_hidden_state": axes})
    import onnxruntime

    session = onnxruntime.InferenceSession(out, providers=["CPUExecutionProvider"])
    got = session.run(None, {name: tensor.numpy() for name, tensor in
                             zip(["input_ids", "attention_mask", "token_type_ids"], inputs)})[0]
    real = sample["attention_mask"].numpy() > 0
    print(f"exported {out}; max |onnx - torch| over real tokens = {abs(got - expected)[real].max():.2e}")


if __name__ == "__main__":
    main()
