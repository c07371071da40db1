"""The torch backend: sentence-transformers, fp16 on a CUDA GPU, fp32 on the CPU.

torch itself is imported only when a model is loaded, so that importing this module is cheap.
"""

from __future__ import annotations

import multiprocessing
import os
import weakref
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import numpy as np

from paperfeed.search.embedding.base import (
    Embedder,
    EmbeddingError,
    ModelSource,
    pad_batch,
    pad_ids,
)

if TYPE_CHECKING:
    from tokenizers import Tokenizer


def stack_padded(parts: Sequence[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """One (ids, mask) batch from several padded ones, padded to the widest."""
    width = max(ids.shape[1] for ids, _ in parts)
    rows = sum(ids.shape[0] for ids, _ in parts)
    ids_out = np.zeros((rows, width), dtype=np.int64)
    mask_out = np.zeros_like(ids_out)
    at = 0
    for ids, mask in parts:
        ids_out[at : at + len(ids), : ids.shape[1]] = ids
        mask_out[at : at + len(ids), : ids.shape[1]] = mask
        at += len(ids)
    return ids_out, mask_out


# Tokenizer worker processes (see TorchEmbedder): each holds its own single-threaded tokenizer.
_worker_encode: Callable[[list[str]], list[list[int]]] | None = None
UNIT = 64  # texts per worker job: a GPU batch is several jobs, so the first is ready soon


def _worker_start(spec: str, max_tokens: int) -> None:
    global _worker_encode
    os.environ["TOKENIZERS_PARALLELISM"] = "false"  # one core each; the pool is the parallelism
    from tokenizers import Tokenizer

    from paperfeed.search.tokenizing import WordPieceCache

    tokenizer = Tokenizer.from_str(spec)
    tokenizer.enable_truncation(max_tokens)
    tokenizer.no_padding()
    try:
        _worker_encode = WordPieceCache(tokenizer, max_tokens).encode_batch
    except ValueError:  # not a BERT tokenizer: the model's own
        _worker_encode = lambda texts: [e.ids for e in tokenizer.encode_batch(texts)]  # noqa: E731


def _worker_tokenize(texts: list[str], multiple: int) -> tuple[np.ndarray, np.ndarray]:
    assert _worker_encode is not None
    return pad_ids(_worker_encode(texts), multiple)


def tokenizer_processes_default() -> int:
    """Tokenizer processes for a GPU embedder: every core but the one feeding the GPU."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return min(31, (cores or 1) - 1) if (cores or 1) >= 4 else 0


class TorchEmbedder(Embedder):
    """sentence-transformers on torch: fp16 on CUDA, fp32 on the CPU.

    For mean-pooling models, tokenising runs a few batches ahead of the forward pass, so a GPU is
    not left waiting on it. A GPU outruns any one CPU core's tokenizer many times over, so on
    CUDA the texts are tokenised and padded in `tokenize_processes` worker processes (default:
    every core but one), which share no lock with the process feeding the GPU. Otherwise two
    threads share the Rust tokenizer's own thread pool (it releases the GIL), while padding
    holds it.
    """

    def __init__(
        self,
        source: ModelSource,
        device: str | None = None,
        *,
        tokenize_processes: int | None = None,
    ) -> None:
        try:
            import torch
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise EmbeddingError(f"the torch backend needs {exc.name}, which is missing") from None
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        try:
            self.model = SentenceTransformer(
                str(source.path), device=self.device, local_files_only=True
            )
        except Exception as exc:  # any load failure means the model is unusable here
            raise EmbeddingError(f"cannot load embedding model {source.name!r}: {exc}") from None
        self.model.max_seq_length = source.max_tokens
        self.model.eval()
        self.cuda = self.device.startswith("cuda")
        # fp16 on a GPU; fp32 on the CPU, whatever dtype the weights were stored in.
        self.model.half() if self.cuda else self.model.float()
        self.source = source
        self.model_name = source.name
        self.transformer: Any = self.model[0].auto_model
        dimension = getattr(self.model, "get_embedding_dimension", None)
        if dimension is None:  # sentence-transformers before 6.1
            dimension = self.model.get_sentence_embedding_dimension
        self.dim = int(dimension() or 0)
        self.backend = f"torch-{'cuda' if self.cuda else 'cpu'}"
        # A GPU wants big batches (on an H200: 33,400 docs/s at 1,024 against 17,800 at 256, see
        # bench/embed.py); the CPU gains nothing past 64.
        self.batch_size = (
            (1024 if _gpu_memory(self.device) >= 16 << 30 else 256) if self.cuda else 64
        )
        self.papers_per_call = 8_192 if self.cuda else 0
        self._tokenizer = self._fast_tokenizer() if source.mean_pooling else None
        if tokenize_processes is None:
            tokenize_processes = tokenizer_processes_default() if self.cuda else 0
        self.tokenize_processes = tokenize_processes if self._tokenizer is not None else 0
        self._pool: Executor | None = None

    def _executor(self) -> Executor:
        """The tokenizer pool, started on first use and stopped with the embedder."""
        if self._pool is None:
            if self.tokenize_processes > 0:
                assert self._tokenizer is not None
                # spawn: a fork would copy this process's CUDA context and tokenizer threads.
                self._pool = ProcessPoolExecutor(
                    self.tokenize_processes,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_worker_start,
                    initargs=(self._tokenizer.to_str(), self.source.max_tokens),
                )
            else:
                self._pool = ThreadPoolExecutor(2, thread_name_prefix="paperfeed-tokenize")
            weakref.finalize(self, self._pool.shutdown, cancel_futures=True)
        return self._pool

    def _fast_tokenizer(self) -> Tokenizer | None:
        from tokenizers import Tokenizer

        backend = getattr(self.model.tokenizer, "backend_tokenizer", None)
        if backend is None:
            return None
        tokenizer = Tokenizer.from_str(backend.to_str())
        tokenizer.enable_truncation(self.source.max_tokens)
        tokenizer.no_padding()
        return tokenizer

    def _batches(self, texts: list[str], size: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        if not texts:
            return
        if self.source.lower_case:
            texts = [t.lower() for t in texts]
        # Longest first, so batches hold texts of similar length and little padding.
        order = np.argsort([-len(t) for t in texts], kind="stable")
        chunks = [order[i : i + size] for i in range(0, len(texts), size)]
        if self._tokenizer is None:  # another pooling: sentence-transformers itself
            for rows in chunks:
                vectors = self.model.encode(
                    [texts[i] for i in rows], batch_size=size, normalize_embeddings=True
                )
                yield rows, np.asarray(vectors, dtype=np.float32)
            return
        yield from self._pipelined(texts, chunks)

    def _pipelined(
        self, texts: list[str], chunks: list[np.ndarray]
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        import torch

        # Copies overlap the GPU's work only when there is more than one batch. A query is one:
        # it takes plain copies, as page-locked buffers of a new size cost milliseconds to make.
        overlap = self.cuda and len(chunks) > 1
        previous: tuple[np.ndarray, Any, Any] | None = None
        for rows, (ids, mask) in self._tokenized(texts, chunks):
            with torch.inference_mode():
                ids = ids.to(self.device, non_blocking=overlap)
                mask = mask.to(self.device, non_blocking=overlap)
                vectors = self._forward(ids, mask).to("cpu", non_blocking=overlap)
            done = torch.cuda.Event() if overlap else None  # type: ignore[no-untyped-call]
            if done is not None:
                done.record()
            # The GPU now has this batch queued: hand back the previous one meanwhile.
            if previous is not None:
                yield _finished(previous)
            previous = (rows, vectors, done)
        if previous is not None:
            yield _finished(previous)

    def _tokenized(
        self, texts: list[str], chunks: list[np.ndarray]
    ) -> Iterator[tuple[np.ndarray, tuple[Any, Any]]]:
        """Each chunk's rows with its tensors, tokenised ahead of the caller."""
        if len(chunks) == 1:  # a query or a handful of texts: no pool to wait on
            yield chunks[0], self._tokenize([texts[i] for i in chunks[0]], pin=False)
            return
        pool = self._executor()
        if self.tokenize_processes > 0:
            yield from self._tokenized_in_processes(pool, texts, chunks)
            return
        ahead = 3
        pending: deque[Future[tuple[Any, Any]]] = deque()
        submitted = 0
        for step, rows in enumerate(chunks):
            while submitted < min(len(chunks), step + ahead):
                batch = [texts[i] for i in chunks[submitted]]
                pending.append(pool.submit(self._tokenize, batch))
                submitted += 1
            yield rows, pending.popleft().result()

    def _tokenized_in_processes(
        self, pool: Executor, texts: list[str], chunks: list[np.ndarray]
    ) -> Iterator[tuple[np.ndarray, tuple[Any, Any]]]:
        multiple = 8 if self.cuda else 1
        jobs = (chunk[i : i + UNIT] for chunk in chunks for i in range(0, len(chunk), UNIT))
        in_flight = 4 * self.tokenize_processes  # jobs queued: every worker always has the next
        pending: deque[Future[tuple[np.ndarray, np.ndarray]]] = deque()
        for rows in chunks:
            parts = []
            for _ in range(-(-len(rows) // UNIT)):
                while len(pending) < in_flight:
                    job = next(jobs, None)
                    if job is None:
                        break
                    pending.append(pool.submit(_worker_tokenize, [texts[i] for i in job], multiple))
                parts.append(pending.popleft().result())
            ids, mask = stack_padded(parts)
            yield rows, _tensors(ids, mask, pin=self.cuda)

    def _tokenize(self, batch: list[str], *, pin: bool = True) -> tuple[Any, Any]:
        assert self._tokenizer is not None
        ids, mask = pad_batch(self._tokenizer.encode_batch(batch), multiple=8 if self.cuda else 1)
        return _tensors(ids, mask, pin=pin and self.cuda)

    def _forward(self, ids: Any, mask: Any) -> Any:
        import torch

        hidden = self.transformer(input_ids=ids, attention_mask=mask).last_hidden_state
        weights = mask.unsqueeze(-1).to(torch.float32)
        summed = (hidden.to(torch.float32) * weights).sum(dim=1)
        mean = summed / weights.sum(dim=1).clamp(min=1e-9)
        return torch.nn.functional.normalize(mean, p=2.0, dim=1)


def _gpu_memory(device: str) -> int:
    import torch

    return int(torch.cuda.get_device_properties(torch.device(device)).total_memory)


def _tensors(ids: np.ndarray, mask: np.ndarray, *, pin: bool) -> tuple[Any, Any]:
    import torch

    ids_t, mask_t = torch.from_numpy(ids), torch.from_numpy(mask)
    if pin:  # page-locked memory lets the copy to the GPU run asynchronously
        ids_t, mask_t = ids_t.pin_memory(), mask_t.pin_memory()
    return ids_t, mask_t


def _finished(item: tuple[np.ndarray, Any, Any]) -> tuple[np.ndarray, np.ndarray]:
    rows, vectors, done = item
    if done is not None:
        done.synchronize()
    return rows, vectors.numpy().astype(np.float32, copy=False)
