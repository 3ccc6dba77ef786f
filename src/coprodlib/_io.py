"""Writing files so that a reader never sees half of one: a temporary file in the same folder,
then a rename over the target (atomic on every platform Python supports)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas is imported by the callers, not by `coprod --help`
    import pandas as pd

__all__ = ["write_bytes_atomic", "write_text_atomic", "write_csv"]


def write_bytes_atomic(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_text_atomic(path: Path, text: str) -> Path:
    """Write ``text`` as UTF-8 to ``path`` atomically (see :func:`write_bytes_atomic`)."""
    return write_bytes_atomic(path, text.encode("utf-8"))


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """Write a table in the data contract's CSV form (UTF-8, comma, header, ``\\n`` line
    ends, no index), atomically."""
    text = frame.to_csv(index=False, lineterminator="\n")
    return write_text_atomic(path, text)
