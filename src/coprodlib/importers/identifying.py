"""Columns of a survey that identify respondents directly, found before anything is written.

A survey export often carries contact details beside the answers: names, e-mail addresses,
phone numbers, IP addresses, GPS positions, postal addresses, or a free-text field where
respondents left their contact. :func:`identifying_columns` finds them three ways:

- by the column's **name**, split into words (``RecipientEmail`` -> ``recipient``,
  ``email``; ``Q12_phone`` -> ``q12``, ``phone``), against :data:`NAME_WORDS` and the
  joined forms in :data:`NAME_PHRASES`, and for text columns also :data:`TEXT_NAME_WORDS`
  (``name``, ``contact``, ``address``, ...);
- by the column's **label** (the SPSS variable label or the Qualtrics question text),
  against :data:`LABEL_PHRASES` ("e-mail address", "your name", "contact", ...);
- by its **values**: a text column most of whose answers are e-mail addresses, IP
  addresses or phone numbers (seven digits or more with spaces, dashes or a leading ``+``;
  dates are not phone numbers).

The import drops these columns by default and says which and why; ``keep=`` names columns a
researcher has checked and wants to keep (for example a ``service_name`` column, whose name
holds the word "name" but no person's).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import pandas as pd

__all__ = [
    "LABEL_PHRASES",
    "NAME_PHRASES",
    "NAME_WORDS",
    "TEXT_NAME_WORDS",
    "identifying_columns",
]

#: Words of a column name that mark it as identifying whatever it holds.
NAME_WORDS = frozenset(
    {
        "firstname",
        "lastname",
        "surname",
        "forename",
        "fullname",
        "email",
        "phone",
        "telephone",
        "telefon",
        "telefoon",
        "fax",
        "ip",
        "ipaddress",
        "ipaddr",
        "postcode",
        "zipcode",
        "latitude",
        "longitude",
        "twitter",
        "linkedin",
    }
)
#: Words of a column name that mark it as identifying when the column holds text (a
#: numeric ``contact_frequency`` or ``mobile_use`` item is an answer, not a contact).
TEXT_NAME_WORDS = frozenset({"name", "names", "mail", "mobile", "address", "street", "contact"})
#: Joined forms of a column name (words run together, lower case) that are identifying.
NAME_PHRASES = ("emailaddress", "ipaddress", "phonenumber", "firstname", "lastname", "fullname")
#: Phrases of a variable label (lower case) that mark the column as identifying.
LABEL_PHRASES = (
    "e-mail",
    "email",
    "your name",
    "full name",
    "first name",
    "last name",
    "surname",
    "phone number",
    "telephone",
    "ip address",
    "postal address",
    "home address",
    "street address",
    "contact details",
    "contact information",
    "contact you",
    "latitude",
    "longitude",
)
_NOT_PERSONAL = frozenset({"service", "project", "organisation", "organization", "scale", "file"})
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_IPV4 = re.compile(r"^(?:\d{1,3}\.){3}\d{1,3}$")
_IPV6 = re.compile(r"^[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}$")
_PHONE = re.compile(r"^\+?[\d\s().\-/]{7,24}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}|^\d{1,2}[./]\d{1,2}[./]\d{2,4}$")


def _words(name: str) -> list[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    return [w for w in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if w]


def _by_name(name: str, is_text: bool) -> str | None:
    words = _words(name)
    joined = "".join(words)
    if any(p in joined for p in NAME_PHRASES) or any(w in NAME_WORDS for w in words):
        return "its name"
    if not is_text or any(w in _NOT_PERSONAL for w in words):
        # "service_name", "project_name": a name of something, not of someone
        return None
    return "its name" if any(w in TEXT_NAME_WORDS for w in words) else None


def _by_label(label: str | None) -> str | None:
    if not label:
        return None
    text = label.lower()
    return "its label" if any(p in text for p in LABEL_PHRASES) else None


def _by_values(values: pd.Series) -> str | None:
    if pd.api.types.is_numeric_dtype(values):
        return None
    text = values.dropna().astype(str).str.strip()
    text = text[text != ""]
    if text.empty:
        return None
    if text.str.match(_EMAIL).mean() >= 0.5:
        return "its values are e-mail addresses"
    if (text.str.match(_IPV4) | text.str.match(_IPV6)).mean() >= 0.5:
        return "its values are IP addresses"
    digits = text.str.count(r"\d")
    phone = text.str.match(_PHONE) & (digits >= 7) & ~text.str.match(_DATE)
    if phone.mean() >= 0.5:
        return "its values are phone numbers"
    return None


def identifying_columns(
    data: pd.DataFrame,
    labels: Mapping[str, str] | None = None,
    *,
    keep: Iterable[str] = (),
    skip: Iterable[str] = (),
) -> dict[str, str]:
    """Columns that identify respondents, each with the reason it was found.

    Parameters
    ----------
    data : DataFrame
        The survey as read.
    labels : mapping, optional
        Column -> variable label (question text).
    keep : iterable of str
        Columns checked by the researcher and kept whatever they look like.
    skip : iterable of str
        Columns handled elsewhere (the respondent id, which is pseudonymised).

    Returns
    -------
    dict
        Column -> reason ("its name", "its label", "its values are e-mail addresses", ...),
        in the order of the columns.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"RecipientEmail": ["a@b.org"], "Q2": ["ann@x.net"],
    ...                       "service_name": ["library"], "t1": [3]})
    >>> identifying_columns(frame)
    {'RecipientEmail': 'its name', 'Q2': 'its values are e-mail addresses'}
    """
    labels = labels or {}
    keep, skip = set(keep), set(skip)
    found: dict[str, str] = {}
    for col in data.columns:
        name = str(col)
        if name in keep or name in skip:
            continue
        is_text = not pd.api.types.is_numeric_dtype(data[col])
        reason = _by_name(name, is_text) or _by_label(labels.get(name)) or _by_values(data[col])
        if reason is not None:
            found[name] = reason
    return found
