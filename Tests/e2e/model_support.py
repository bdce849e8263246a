"""Broken models for the fault tests, made from the real one without copying its weights."""

from __future__ import annotations

import pathlib


def add_truncated_model(model_dir: pathlib.Path, folder: pathlib.Path) -> pathlib.Path:
    """Makes `folder` a model whose files are `model_dir`'s (symlinked) except for
    `model.safetensors`, cut to half its length, and no manifest: step 4 fails with
    `file_truncated`. Returns `folder`."""
    folder.mkdir(parents=True)
    for item in model_dir.iterdir():
        if item.name not in ("model.safetensors", "model.yaml"):
            (folder / item.name).symlink_to(item)
    data = (model_dir / "model.safetensors").read_bytes()
    (folder / "model.safetensors").write_bytes(data[: len(data) // 2])
    return folder
