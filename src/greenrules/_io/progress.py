"""A dependency-free progress bar for long evaluations, drawn on a terminal's stderr only.

Redrawing a line with a carriage return only makes sense on a terminal: in a log file or a
pipe the frames pile up as one long line. So :func:`progress_bar` gives no bar when the stream
is not a terminal, and the bar draws its last frame exactly once, when it is closed.
"""

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
        """Record that ``done`` items are finished; the final frame waits for :meth:`close`."""
        now = time.perf_counter()
        if done >= self.total or now - self._last < 0.1:
            return
        self._last = now
        self._draw(done, now)

    def close(self) -> None:
        """Draw the final frame and finish the line."""
        self._draw(self.total, time.perf_counter())
        self.stream.write("\n")
        self.stream.flush()

    def _draw(self, done: int, now: float) -> None:
        filled = self.width * done // self.total
        rate = done / max(now - self.started, 1e-9)
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\r[{bar}] {done}/{self.total} ({rate:,.0f}/s)")
        self.stream.flush()


def progress_bar(total: int, stream: TextIO, *, quiet: bool = False) -> ProgressBar | None:
    """A bar for ``total`` items on ``stream``, or None when quiet or not on a terminal."""
    isatty = getattr(stream, "isatty", None)
    if quiet or isatty is None or not isatty():
        return None
    return ProgressBar(total, stream)
