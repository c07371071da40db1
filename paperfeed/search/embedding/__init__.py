"""Sentence embeddings of papers and queries, offline, with no Django.

`embedder_load()` picks the fastest way to run the model on this machine: torch fp16 on a CUDA
GPU (`torch.py`), else an int8 ONNX Runtime copy of the model (exported once into `cache_dir`,
see `onnx.py`), else torch on the CPU. Every backend of a model gives interchangeable vectors
(int8 within cosine ~0.996 of fp32): the same tokenizer, truncation at MAX_TOKENS, mean pooling
over the attention mask, L2 normalisation, as sentence-transformers does for these models.

Imports go one way: the backends import what they share from `base.py`, and this module imports
a backend only inside `embedder_load`, so importing the package loads neither torch nor
onnxruntime.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from paperfeed.search.embedding.base import (
    DEFAULT_MODEL,
    MAX_TOKENS,
    Embedder,
    EmbeddingError,
    ModelSource,
    model_slug,
    model_source,
    pad_batch,
    pad_ids,
    paper_text,
)

__all__ = [
    "BACKENDS",
    "DEFAULT_MODEL",
    "MAX_TOKENS",
    "Embedder",
    "EmbeddingError",
    "ModelSource",
    "embedder_load",
    "model_slug",
    "model_source",
    "pad_batch",
    "pad_ids",
    "paper_text",
]

logger = logging.getLogger(__name__)

BACKENDS = ("auto", "onnx", "torch")


def embedder_load(
    *, model: str = DEFAULT_MODEL, backend: str = "auto", cache_dir: Path | None = None
) -> Embedder:
    """Load `model` with `backend` ("auto", "onnx" or "torch"); raises EmbeddingError.

    ONNX copies are exported once into `cache_dir/<model_slug(name)>/` (default
    ~/.cache/paperfeed/models).
    """
    if backend not in BACKENDS:
        raise EmbeddingError(
            f"unknown embedding backend {backend!r}: use one of {', '.join(BACKENDS)}"
        )
    source = model_source(model)
    cache = Path(cache_dir) if cache_dir is not None else _default_cache()
    if backend == "auto" and _cuda_available():
        backend = "torch"
    if backend in ("auto", "onnx"):
        from paperfeed.search.embedding import onnx

        problem = onnx.onnx_unsupported(source)
        if problem is None:
            try:
                return onnx.OnnxEmbedder.load(source, cache)
            except EmbeddingError as exc:
                if backend == "onnx":
                    raise
                problem = str(exc)
        if backend == "onnx":
            raise EmbeddingError(f"{source.name}: the onnx backend cannot run it ({problem})")
        logger.warning("%s: using torch on the CPU (%s)", source.name, problem)
    from paperfeed.search.embedding.torch import TorchEmbedder

    return TorchEmbedder(source)


def _default_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "paperfeed" / "models"


def _cuda_available() -> bool:
    # Importing torch takes seconds; skip it where no NVIDIA driver is present.
    if not (Path("/proc/driver/nvidia").exists() or Path("/dev/nvidia0").exists()):
        return False
    try:
        import torch
    except ImportError:
        return False
    return bool(torch.cuda.is_available())
