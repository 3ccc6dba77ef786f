"""Stable pseudonyms for the names of participants, documents, cases and respondents.

A pseudonym is a keyed hash of the name: ``P-`` (participant), ``D-`` (document), ``C-``
(case) or ``R-`` (respondent) followed by ten hexadecimal digits of
HMAC-SHA256(salt, kind + name). The same name and the same salt always give the same
pseudonym, so re-importing a project keeps every id; without the salt the names cannot be
recovered by trying likely names.

Where things live (both files are git-ignored, see ``.gitignore``):

- the salt: ``.coprod_salt`` inside the dataset folder the import writes (``--to``). It is
  created on the first import and reused by every later import into the same folder. It
  lives with the dataset rather than in the project root so that an import never writes
  outside its target folder, and so that two datasets never share a salt by accident (copy
  the file to share one on purpose, e.g. to link survey respondents to interviewees).
- the key: ``pseudonym_key.csv`` in the same folder, columns ``kind``, ``pseudonym`` and
  ``original``, so the researcher can map pseudonyms back. Later imports add to it.

Never commit or share these two files with the data.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import DataError, Problem
from ..paths import KEY_FILE, SALT_FILE

__all__ = [
    "PREFIXES",
    "Pseudonymizer",
    "read_key",
    "read_salt",
]

#: Pseudonym prefix per kind of name.
PREFIXES = {"participant": "P", "document": "D", "case": "C", "respondent": "R"}
_DIGITS = 10
_SALT_BYTES = 32


def _clean(name: object) -> str:
    """The form of a name that is hashed: NFC, surrounding white space removed."""
    return unicodedata.normalize("NFC", str(name)).strip()


def read_salt(path: Path) -> bytes:
    """The salt stored in a salt file (hex text).

    Raises
    ------
    DataError
        When the file is not a salt written by :class:`Pseudonymizer`.
    """
    try:
        text = path.read_text(encoding="ascii").strip()
        salt = bytes.fromhex(text)
    except (OSError, UnicodeDecodeError, ValueError):
        salt = b""
    if len(salt) < 16:
        raise DataError(
            Problem(
                file=str(path),
                expected="a salt file holding at least 32 hexadecimal digits (written by the "
                "importer); restore it from a backup, or delete it to start new pseudonyms",
                kind="invalid",
            )
        )
    return salt


def read_key(folder: Path) -> pd.DataFrame:
    """The pseudonym key of a dataset folder (empty when there is none)."""
    path = Path(folder) / KEY_FILE
    columns = ["kind", "pseudonym", "original"]
    if not path.is_file():
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(
            Problem(
                file=str(path),
                expected=f"the columns {', '.join(columns)} (missing: {', '.join(missing)})",
                kind="missing_column",
            )
        )
    return frame[columns]


@dataclass
class Pseudonymizer:
    """Turns names into stable pseudonyms and remembers them for the key file.

    Examples
    --------
    >>> p = Pseudonymizer(bytes(32))
    >>> p("participant", "Anna Schmidt") == p("participant", " Anna Schmidt ")
    True
    >>> p("participant", "Anna Schmidt").startswith("P-")
    True
    """

    salt: bytes
    _seen: dict[tuple[str, str], str] = field(default_factory=dict, repr=False)
    _taken: dict[str, tuple[str, str]] = field(default_factory=dict, repr=False)

    @classmethod
    def for_folder(cls, folder: Path | None) -> Pseudonymizer:
        """Use the salt of a dataset folder, or a fresh one when it has none (or is None)."""
        path = None if folder is None else Path(folder) / SALT_FILE
        if path is not None and path.is_file():
            return cls(read_salt(path))
        return cls(secrets.token_bytes(_SALT_BYTES))

    def __call__(self, kind: str, name: object) -> str:
        """The pseudonym of ``name`` as a ``kind`` (participant, document, case, respondent)."""
        if kind not in PREFIXES:
            raise ValueError(f"kind must be one of {', '.join(PREFIXES)}, not {kind!r}")
        clean = _clean(name)
        key = (kind, clean)
        if key in self._seen:
            return self._seen[key]
        digest = hmac.new(self.salt, f"{kind}\0{clean}".encode(), hashlib.sha256).hexdigest()
        n = _DIGITS
        while True:  # lengthen on the (astronomically rare) clash of two names
            out = f"{PREFIXES[kind]}-{digest[:n]}"
            if self._taken.get(out, key) == key:
                break
            n += 2
        self._seen[key] = out
        self._taken[out] = key
        return out

    def key_frame(self) -> pd.DataFrame:
        """The pseudonyms handed out so far: ``kind``, ``pseudonym``, ``original``."""
        rows = [(kind, pseudo, name) for (kind, name), pseudo in self._seen.items()]
        return pd.DataFrame(rows, columns=["kind", "pseudonym", "original"])

    def write(self, folder: Path, previous: Path | None = None) -> None:
        """Write the salt and the key (merged with ``previous``'s key) into ``folder``.

        Both files are created readable by the owner only.
        """
        folder = Path(folder)
        salt_path = folder / SALT_FILE
        salt_path.write_text(self.salt.hex() + "\n", encoding="ascii")
        salt_path.chmod(0o600)
        old = read_key(previous) if previous is not None else read_key(folder)
        key = pd.concat([old, self.key_frame()], ignore_index=True)
        key = key.drop_duplicates(["kind", "pseudonym"], keep="last")
        key = key.sort_values(["kind", "pseudonym"], kind="stable")
        key_path = folder / KEY_FILE
        key.to_csv(key_path, index=False, lineterminator="\n", encoding="utf-8")
        key_path.chmod(0o600)
