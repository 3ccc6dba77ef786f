"""coprodlib: taxonomies and analyses for value conflicts in public-service co-production."""

from __future__ import annotations

from .errors import DataError, Problem

__version__ = "0.1.0"

__all__ = ["DataError", "Problem", "__version__"]
