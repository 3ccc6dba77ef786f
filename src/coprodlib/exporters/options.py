"""The choices the exporters offer, kept apart so that the command line can list them without
importing pandas (``coprod --help`` and an unchanged ``coprod run`` stay quick)."""

from __future__ import annotations

__all__ = ["CODE_CHOICES", "OFFSET_CHOICES", "UNITS", "FORMATS"]

#: Which codes a REFI-QDA export's codebook holds (see :func:`~coprodlib.exporters.qdpx.export_qdpx`).
CODE_CHOICES = ("dimensions", "used", "all")
#: The unit of a REFI-QDA export's selection offsets ("auto": the tool's own, see qdpx).
OFFSET_CHOICES = ("auto", "codepoints", "utf16", "utf8")
#: The units a code matrix can have one row per (see :func:`~coprodlib.exporters.matrix.code_matrix`).
UNITS = ("segment", "participant", "document", "case")
#: The file formats of a code matrix.
FORMATS = ("csv", "sav", "dta", "parquet")
