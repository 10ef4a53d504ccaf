"""Bulk work with the cyclic garbage collector paused, and the caller's setting restored.

Validating and evaluating tens of thousands of records builds a heap of small frozen models and
tuples that hold no reference cycles; the collector walks that heap again and again as it grows,
which measured three to five times the work itself. Entry points that take a batch pause it for
the duration of the call and put back exactly what the caller had, on every exit path.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Disable the cyclic collector for the block; leave it as found (also on error).

    A caller that disabled it keeps it disabled; a nested pause is a no-op. Used as a decorator
    (``@collector_paused()``) it pauses for each call. On the way out, what the block built
    joins the oldest generation untraced (``freeze`` then ``unfreeze``), so the first
    allocation after it does not trace the whole batch; a caller's own frozen objects are
    never released.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        if not gc.get_freeze_count():
            # Move what the batch built to the oldest generation without walking it: enabled
            # with a young generation of millions, the first allocation would trace it all.
            # Skipped when the caller froze objects of its own (unfreeze would release them).
            gc.freeze()
            gc.unfreeze()
        gc.enable()
