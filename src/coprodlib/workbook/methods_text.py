"""The words of a paper kit: ``methods.md`` and ``references.bib``.

:func:`methods_markdown` describes, from the dataset and the tables a run saved, the data
(cases, participants, documents, segments, codings, coders, respondents), the codebook and the
sources it cites, intercoder agreement with its unit, the tests and corrections whose tables
exist, the software and its versions, and the synthetic-data statement where it applies.
:func:`bibtex` writes the references as BibTeX entries: the codebook's, and of
:data:`METHOD_REFERENCES` those the methods cite (:func:`method_references`). The tables are those of
:func:`coprodlib.workbook.paper.collect_tables` (their ``number``, ``name`` and ``frame``).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..taxonomy.export import latex_escape, markdown_text
from .formatting import format_cell, format_value
from .pages import SYNTHETIC_NOTE

if TYPE_CHECKING:
    import pandas as pd

    from ..contract.dataset import Dataset

__all__ = [
    "METHOD_REFERENCES",
    "bibtex",
    "cited_keys",
    "dataset_counts",
    "method_references",
    "methods_markdown",
    "numbers_of",
    "software_versions",
]


#: The sources of the methods themselves (the codebook's come with the codebook), cited in
#: methods.md as ``[@key]`` where a paragraph uses the method, and then added to references.bib.
METHOD_REFERENCES = {
    "ragin2008": "Ragin, C. C. (2008). Redesigning social inquiry: Fuzzy sets and beyond. "
    "University of Chicago Press.",
    "schneider2012": "Schneider, C. Q., & Wagemann, C. (2012). Set-theoretic methods for the "
    "social sciences: A guide to qualitative comparative analysis. Cambridge University Press.",
    "schneider2013": "Schneider, C. Q., & Rohlfing, I. (2013). Combining QCA and process "
    "tracing in set-theoretic multi-method research. Sociological Methods & Research, 42(4), "
    "559-597. doi:10.1177/0049124113481341",
    "dusa2019": "Dușa, A. (2019). QCA with R: A comprehensive resource. Springer. "
    "doi:10.1007/978-3-319-75668-4",
}


def method_references(methods: str, *, known: Sequence[str] = ()) -> pd.DataFrame:
    """The entries of :data:`METHOD_REFERENCES` that ``methods`` cites as ``@key``, in the
    order of that table, leaving out the ``known`` keys (those the codebook already has).

    Examples
    --------
    >>> method_references("calibrated as in [@ragin2008]")["key"].tolist()
    ['ragin2008']
    """
    import pandas as pd

    cited = set(re.findall(r"@([A-Za-z0-9_:.\-]+)", methods))
    rows = [(k, c) for k, c in METHOD_REFERENCES.items() if k in cited and k not in set(known)]
    return pd.DataFrame(rows, columns=["key", "citation"])


def numbers_of(column: pd.Series) -> pd.Series:
    """A text column as numbers when every non-empty cell is one (and none is a zero-padded id)."""
    import pandas as pd

    filled = column[column != ""]
    if filled.empty or filled.str.match(r"^[+-]?0\d").any():
        return column
    numbers = pd.to_numeric(filled, errors="coerce")
    if numbers.isna().any():
        return column
    out = pd.to_numeric(column.replace("", None), errors="coerce")
    whole = numbers.eq(numbers.round()).all() and not filled.str.contains(r"[.eE]").any()
    return out.astype("Int64") if whole else out.astype(float)


def _plural(n: int, one: str, many: str) -> str:
    return f"{format_value(int(n), 'count')} {one if n == 1 else many}"


def dataset_counts(ds: Dataset) -> dict[str, int]:
    """The sizes :func:`write_paper_kit` reports in ``methods.md``."""
    coders: set[str] = set()
    for frame in (ds.codings, ds.double_coding):
        if frame is not None and "coder" in frame.columns:
            coders |= {str(c) for c in frame["coder"].dropna() if str(c).strip()}
    if ds.documents is not None:
        documents = len(ds.documents)
    elif "document_id" in ds.segments.columns:
        documents = int(ds.segments["document_id"].dropna().nunique())
    else:
        documents = 0
    return {
        "cases": len(ds.cases),
        "participants": len(ds.participants),
        "documents": documents,
        "segments": len(ds.segments),
        "codings": len(ds.codings),
        "coders": len(coders),
        "respondents": 0 if ds.survey is None else len(ds.survey),
    }


def _data_paragraph(ds: Dataset) -> str:
    n = dataset_counts(ds)
    parts = []
    if n["cases"]:
        coders = f" by {_plural(n['coders'], 'coder', 'coders')}" if n["coders"] else ""
        parts.append(
            f"The qualitative data comprise {_plural(n['cases'], 'case', 'cases')} with "
            f"{_plural(n['participants'], 'participant', 'participants')} and "
            f"{_plural(n['documents'], 'document', 'documents')} (interview transcripts), "
            f"from which {_plural(n['segments'], 'segment was', 'segments were')} coded with "
            f"{_plural(n['codings'], 'coding', 'codings')} in all{coders}."
        )
    if n["respondents"]:
        parts.append(f"The survey holds {_plural(n['respondents'], 'respondent', 'respondents')}.")
    return " ".join(parts) or "The dataset holds no cases and no survey."


def cited_keys(ds: Dataset) -> list[str]:
    """The reference keys the codebook's entries cite, in the order of its references."""
    frame = ds.codebook.frame
    used: set[str] = set()
    for source in frame["source"].dropna().astype(str):
        used |= {k.strip() for k in source.split(";") if k.strip()}
    keys = [str(k) for k in ds.codebook.references["key"]]
    return [k for k in keys if k in used] or keys


def _codebook_paragraph(ds: Dataset) -> str:
    frame = ds.codebook.frame
    dims = sorted({str(d) for d in frame["dimension"].dropna()})
    cites = "; ".join(f"@{k}" for k in cited_keys(ds))
    return (
        f"Segments were coded with the coprod codebook of {_plural(len(frame), 'code', 'codes')} "
        f"in {_plural(len(dims), 'dimension', 'dimensions')}, each entry defined after its "
        f"published source [{cites}] (see `references.bib`). Value tensions, coping "
        "strategies and their effects are codes; a tension met with a strategy is their "
        "co-occurrence on one segment."
    )


def _agreement_paragraph(tables: Sequence[Any]) -> str | None:
    rel = [t for t in tables if t.source.startswith("reliability/") and t.frame is not None]
    sentences = []
    for t in rel:
        f = t.frame
        if not {"alpha", "kappa"} <= set(f.columns):
            continue
        by = next((c for c in ("dimension", "code") if c in f.columns), None)
        if by == "dimension":
            for _, row in f.iterrows():
                sentences.append(
                    f"{markdown_text(row['dimension'])}: α = {format_cell(row['alpha'], 'bounded')}, "
                    f"κ = {format_cell(row['kappa'], 'bounded')}"
                    + (
                        f", {format_cell(row['percent_agreement'], 'share')} agreement"
                        if "percent_agreement" in f.columns
                        else ""
                    )
                    + (f", {format_cell(row['n_units'], 'count')} units" if "n_units" in f else "")
                )
        elif by == "code":
            alphas = numbers_of(f["alpha"]).dropna()
            if len(alphas):
                sentences.append(
                    f"per code (Table {t.number}, {_plural(len(f), 'code', 'codes')}): α from "
                    f"{format_value(float(alphas.min()), 'bounded')} to "
                    f"{format_value(float(alphas.max()), 'bounded')}"
                )
    if not sentences:
        return None
    coders = ""
    for t in rel:
        if "n_coders" in t.frame.columns:
            values = numbers_of(t.frame["n_coders"]).dropna()
            if len(values):
                coders = f" by {_plural(int(values.max()), 'coder', 'coders')}"
    return (
        f"A sample of segments was coded twice{coders}. Agreement was measured on the unit of "
        "one segment and one code: whether each coder applied the code to the segment "
        "(present or absent), as Krippendorff's alpha (nominal) and Cohen's kappa, with the "
        "percentage of units on which the coders agreed. " + "; ".join(sentences) + "."
    )


def _has(tables: Sequence[Any], *columns: str, name: str = "") -> bool:
    for t in tables:
        if t.frame is None or not set(columns) <= set(t.frame.columns):
            continue
        if not name or name in t.name:
            return True
    return False


def _qca_table(tables: Sequence[Any], name: str) -> Any:
    return next(
        (
            t
            for t in tables
            if t.source.startswith("configurations/") and t.name == name and t.frame is not None
        ),
        None,
    )


def _configurations_paragraph(tables: Sequence[Any]) -> str | None:
    """How the configurations notebook calibrated and minimised, from its tables."""
    cal = _qca_table(tables, "calibration")
    if cal is None or not {"set", "made_of", "calibration"} <= set(cal.frame.columns):
        return None
    said = []
    for _, row in cal.frame.iterrows():
        name, made_of, how = (markdown_text(row[c]) for c in ("set", "made_of", "calibration"))
        if how == "fuzzy":
            e, c, i = (
                format_value(float(numbers_of(cal.frame[k])[_]), "stat")
                for k in ("exclusion", "crossover", "inclusion")
            )
            said.append(f"{name} from {made_of} (fuzzy; anchors {e}, {c}, {i})")
        elif how == "crisp":
            c = format_value(float(numbers_of(cal.frame["crossover"])[_]), "stat")
            said.append(f"{name} from {made_of} (crisp; 1 at or above {c})")
        else:
            said.append(f"{name}: the cases with {made_of}")
    text = (
        "Cases were compared as configurations with qualitative comparative analysis (QCA) "
        "[@ragin2008]. Conditions and outcome were calibrated into sets, fuzzy sets by the "
        f"direct method with three anchors (Table {cal.number}): " + "; ".join(said) + ". "
        "Necessity was assessed by consistency, coverage and relevance of necessity "
        "[@schneider2012]; the truth table was minimised with the Quine-McCluskey algorithm "
        "and an exact prime-implicant chart into the conservative, parsimonious and "
        "intermediate solutions, with the consistency and coverage of each path and solution "
        "as the R package QCA computes them [@dusa2019]."
    )
    behind = _qca_table(tables, "solution_cases")
    if behind is not None:
        text += (
            " The cases were then read against the solution as typical or deviant for its "
            f"consistency or coverage [@schneider2013] (Table {behind.number})."
        )
    rob = _qca_table(tables, "robustness")
    if rob is not None and "shift" in rob.frame.columns:
        shifts = numbers_of(rob.frame["shift"]).abs()
        shift = shifts[shifts > 0]
        if len(shift):
            text += (
                f" As a robustness check the anchors of each measure were moved by "
                f"±{format_value(float(shift.max()), 'stat')}, one measure at a time "
                f"(Table {rob.number})."
            )
    return text


def _tests_paragraph(tables: Sequence[Any]) -> list[str]:
    found = []
    if _has(tables, "chi2", "cramer_v"):
        found.append(
            "Associations between categorical variables were tested with Pearson's "
            "chi-square test of independence, with Cramér's V as effect size."
        )
    methods = set()
    for t in tables:
        if t.frame is not None and "exact_method" in t.frame.columns:
            methods |= {m for m in t.frame["exact_method"] if m}
    if methods:
        found.append(
            "Where expected counts were small (more than 20% of cells under 5), an exact "
            f"p-value replaced the asymptotic one ({', '.join(sorted(methods))})."
        )
    if _has(tables, "p_adjusted"):
        found.append(
            "Families of tests were corrected for multiple comparisons with Holm's step-down "
            "method (adjusted p-values in the tables)."
        )
    if _has(tables, "alpha", name="scale"):
        found.append("The internal consistency of each survey scale is Cronbach's alpha.")
    if any("anova" in t.name for t in tables):
        found.append("Differences in scale means between groups were tested with ANOVA.")
    if _has(tables, "r", name="correlation"):
        found.append("Relations between scales are correlation coefficients with 95% CIs.")
    if any("multinomial" in t.name for t in tables):
        found.append(
            "The choice of coping strategy was modelled with a multinomial logit; "
            "effects are odds ratios with 95% confidence intervals."
        )
    if any("logistic" in t.name for t in tables):
        found.append("Each choice against the others was also modelled by logistic regression.")
    return found


def software_versions() -> dict[str, str]:
    """The versions of Python and of the packages behind the analyses."""
    from importlib.metadata import PackageNotFoundError, version

    out = {"Python": sys.version.split()[0]}
    for name in (
        "coprodlib",
        "pandas",
        "numpy",
        "scipy",
        "statsmodels",
        "pingouin",
        "krippendorff",
    ):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out


def methods_markdown(ds: Dataset, tables: Sequence[Any]) -> str:
    lines = [f"# Methods: {markdown_text(ds.title)}", ""]
    if ds.synthetic:
        lines += [f"> **{SYNTHETIC_NOTE}**", ""]
    lines += ["## Data", "", _data_paragraph(ds), "", "## Codebook", "", _codebook_paragraph(ds)]
    agreement = _agreement_paragraph(tables)
    if agreement:
        lines += ["", "## Intercoder agreement", "", agreement]
    configurations = _configurations_paragraph(tables)
    if configurations:
        lines += ["", "## Configurations (QCA)", "", configurations]
    tests = _tests_paragraph(tables)
    if tests:
        lines += ["", "## Statistical tests", "", " ".join(tests)]
    versions = software_versions()
    listed = ", ".join(f"{k} {v}" for k, v in versions.items() if k != "coprodlib")
    lines += [
        "",
        "## Software",
        "",
        f"The analyses ran with coprodlib {versions['coprodlib']} (the coprod workbook) on "
        f"{listed}.",
    ]
    if ds.synthetic:
        lines += [
            "",
            "## Synthetic data",
            "",
            "The data are synthetic: a seeded model built from published case descriptions "
            "generated them, so the numbers illustrate the analyses and are not findings.",
        ]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- references

_DOI = re.compile(r"\bdoi:\s*(\S+?)[.,;]?(?:\s|$)", re.IGNORECASE)
_YEAR = re.compile(r"\((\d{4})\)|(?<![\d.\-/])((?:19|20)\d{2})(?![\d.\-/])")
_KEY = re.compile(r"[^A-Za-z0-9_:.\-]")


def bibtex(references: pd.DataFrame) -> str:
    """The codebook's references as BibTeX ``@misc`` entries.

    Each citation is kept whole in ``note`` (LaTeX-escaped); its year and DOI, when the text
    gives them, are also set as ``year`` and ``doi``.

    Parameters
    ----------
    references : DataFrame
        Columns ``key`` and ``citation`` (:attr:`Codebook.references`).

    Returns
    -------
    str
        One entry per reference, in the frame's order.
    """
    entries = []
    for key, citation in zip(references["key"], references["citation"], strict=True):
        text = " ".join(str(citation).split())
        fields = [("note", latex_escape(text))]
        year = _YEAR.search(_DOI.sub(" ", text))
        if year:
            fields.append(("year", year.group(1) or year.group(2)))
        doi = _DOI.search(text)
        if doi:
            fields.append(("doi", latex_escape(doi.group(1))))
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
        entries.append(f"@misc{{{_KEY.sub('_', str(key))},\n{body}\n}}\n")
    return "\n".join(entries)
