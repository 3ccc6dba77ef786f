"""Fingerprints of a notebook's inputs: what a batch run compares to skip unchanged notebooks.

A case notebook's fingerprint hashes only that case's rows of the per-case tables, so a change
in one case re-runs that case alone. The dataset's private files (the pseudonymisation salt
and key) never enter a digest, and :func:`public_files` is also what the manifest lists.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..paths import KEY_FILE, SALT_FILE

if TYPE_CHECKING:
    from ..contract.dataset import Dataset

__all__ = ["CASE_TABLES", "case_digests", "file_digest", "library_digest", "public_files", "sha"]

#: Tables whose rows belong to one case; a case notebook's fingerprint hashes only its rows.
CASE_TABLES = ("cases", "participants", "segments", "codings")


def sha(parts: Iterable[bytes]) -> str:
    """The SHA-256 (hex) of a sequence of parts, each hashed first so that no two sequences
    of parts run together into the same bytes."""
    h = hashlib.sha256()
    for part in parts:
        h.update(hashlib.sha256(part).digest())
    return h.hexdigest()


def library_digest() -> str:
    """Hash of the library's source and data files, so an edited function re-runs notebooks."""
    pkg = Path(__file__).resolve().parents[1]  # the whole package, every wing
    files = sorted(p for p in pkg.rglob("*") if p.suffix in {".py", ".yaml", ".yml"})
    return sha([__version__.encode()] + [p.read_bytes() for p in files])


def public_files(folder: Path) -> list[Path]:
    """The dataset's files that digests and the manifest may describe, sorted.

    Left out: hidden files (among them the pseudonymisation salt ``.coprod_salt``) and the
    pseudonym key (``pseudonym_key.csv``, and any ``*_key.csv`` or ``*.salt``). The reports
    are shared; a digest of a key whose layout is predictable would let anyone holding them
    confirm guessed real names. The notebooks never read these files, so leaving them out
    changes no fingerprint that matters.
    """

    def private(name: str) -> bool:
        return (
            name.startswith(".")
            or name in (KEY_FILE, SALT_FILE)
            or name.endswith(("_key.csv", ".salt"))
        )

    return sorted(p for p in folder.iterdir() if p.is_file() and not private(p.name))


def file_digest(folder: Path, stems: Iterable[str] | None = None) -> str:
    """A digest of the names and bytes of a dataset's :func:`public_files` (or of those whose
    name without suffix is in ``stems``)."""
    files = public_files(folder)
    if stems is not None:
        wanted = set(stems)
        files = [p for p in files if p.stem in wanted]
    return sha([p.name.encode() + b"\0" + p.read_bytes() for p in files])


def _frame_digest(frame: Any) -> bytes:
    import pandas as pd

    if frame is None or len(frame) == 0:
        return b"empty"
    hashed = pd.util.hash_pandas_object(frame.astype(str), index=False).to_numpy()
    return ",".join(map(str, frame.columns)).encode() + hashed.tobytes()


def case_digests(ds: Dataset) -> dict[str, str]:
    """One digest per case over that case's rows of the per-case tables (vectorised)."""
    seg_case = ds.segments[["segment_id", "case_id"]]
    codings = ds.codings.merge(seg_case, on="segment_id", how="left")
    frames = {
        "cases": ds.cases,
        "participants": ds.participants,
        "segments": ds.segments,
        "codings": codings,
    }
    digests: dict[str, str] = {}
    grouped = {
        name: dict(tuple(f.groupby("case_id", sort=True, observed=True)))
        for name, f in frames.items()
    }
    for case_id in sorted(ds.cases["case_id"].astype(str)):
        digests[case_id] = sha(_frame_digest(grouped[name].get(case_id)) for name in CASE_TABLES)
    return digests
