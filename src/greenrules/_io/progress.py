"""A dependency-free progress bar for long evaluations, written to stderr."""

from __future__ import annotations

import time
from typing import TextIO


class ProgressBar:
    """Shows ``done/total`` with a bar and a rate; redraws at most ten times a second."""

    def __init__(self, total: int, stream: TextIO, width: int = 30) -> None:
        self.total = max(total, 1)
        self.stream = stream
        self.width = width
        self.started = time.perf_counter()
        self._last = 0.0

    def update(self, done: int) -> None:
        """Record that ``done`` items are finished."""
        now = time.perf_counter()
        if done < self.total and now - self._last < 0.1:
            return
        self._last = now
        filled = self.width * done // self.total
        rate = done / max(now - self.started, 1e-9)
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\r[{bar}] {done}/{self.total} ({rate:,.0f}/s)")
        self.stream.flush()

    def close(self) -> None:
        """Finish the line."""
        self.update(self.total)
        self.stream.write("\n")
        self.stream.flush()
