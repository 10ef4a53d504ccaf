"""XLSX files saved byte for byte alike: the same workbook content always gives the same file.

openpyxl stamps the save time into the document properties and every zip entry, so two runs
on the same input gave different bytes, and a file could not be checked against a digest or
told unchanged by a hash. Here the stamps are one fixed moment, the earliest a zip can hold.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from typing import Any

FIXED_TIME = dt.datetime(1980, 1, 1)
"""The time written as created, modified and every zip entry's date (zip's earliest)."""


class _FixedTimeZip(zipfile.ZipFile):
    """A zip whose entries all carry :data:`FIXED_TIME`, however openpyxl adds them."""

    def writestr(self, zinfo_or_arcname: Any, data: Any, *args: Any, **kwargs: Any) -> None:
        if isinstance(zinfo_or_arcname, str):
            info = zipfile.ZipInfo(zinfo_or_arcname, FIXED_TIME.timetuple()[:6])
            info.compress_type = self.compression
            info.external_attr = 0o600 << 16
            zinfo_or_arcname = info
        super().writestr(zinfo_or_arcname, data, *args, **kwargs)

    def write(self, filename: Any, arcname: Any = None, *args: Any, **kwargs: Any) -> None:
        """A file copied in (openpyxl's worksheets): its contents, without its own time."""
        self.writestr(str(arcname or filename), Path(filename).read_bytes())


def save_workbook(book: Any, path: Path) -> None:
    """Save the openpyxl ``book`` to ``path`` with fixed time stamps."""
    from openpyxl.writer.excel import ExcelWriter

    book.properties.created = book.properties.modified = FIXED_TIME
    with _FixedTimeZip(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(book, archive).save()
