"""Search: keyword index, embeddings, vector index, hybrid ranking."""

# onnxruntime must be loaded before usearch: the other way round the process crashes on import
# (the two native libraries clash). Every search module imports through this package.
import onnxruntime  # noqa: F401
