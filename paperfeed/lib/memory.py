"""Give freed memory back to the operating system between the stages of a long job.

glibc's allocator keeps freed memory in its heaps for reuse: after `paperfeed index` has built the
keyword index (tantivy's writer, the filter columns) or a vector graph, the process would go on
holding hundreds of MB it no longer uses, and the next stage's memory would come on top of it.
malloc_trim(0) returns the free pages; where there is no glibc it does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
from functools import cache


@cache
def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    return libc if libc is not None and hasattr(libc, "malloc_trim") else None


def memory_return() -> bool:
    """Collect garbage, then hand the allocator's free pages back; False where not possible."""
    gc.collect()
    libc = _libc()
    if libc is None:
        return False
    libc.malloc_trim(0)
    return True
