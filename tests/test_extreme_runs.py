"""Every notebook runs on every valid dataset: `coprod run` on extreme datasets (a survey
alone with starter scales, a survey without choices or groups, a project that codes values
instead of tensions with one coder and one role, a single case with local codes only, a
reliability sample from a single coder) finishes
with no failed notebook, and the thin sections say why they are not shown."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

import coprodlib as cp
from coprodlib.importers.survey import import_survey
from coprodlib.workbook.runner import run

CB = cp.get_codebook()


def _survey_only(root: Path) -> Path:
    rows = ["respondent_id,q1_1,q1_2,q1_3,e_1,e_2,age"]
    rows += [
        f"r{k},{k % 5 + 1},{(k * 2) % 5 + 1},{(k * 3) % 5 + 1},{k % 4 + 1},{(k + 1) % 4 + 1},{30 + k}"
        for k in range(24)
    ]
    csv = root / "answers.csv"
    csv.write_text("\n".join(rows) + "\n", encoding="utf-8")
    import_survey(csv, root / "survey_only")
    return root / "survey_only"


def _values_one_coder(root: Path) -> Path:
    """Two cases, one role, one coder; values and strategies coded, no tension codes."""
    folder = root / "values_coded"
    shutil.copytree(cp.paths.demo_dir(), folder)
    for extra in ("survey.csv", "scales.yml", "double_coding.csv", "README.md"):
        (folder / extra).unlink(missing_ok=True)
    cases = pd.read_csv(folder / "cases.csv").head(2)
    cases.to_csv(folder / "cases.csv", index=False)
    keep = set(cases["case_id"])
    parts = pd.read_csv(folder / "participants.csv")
    parts = parts[parts["case_id"].isin(keep)].assign(role="citizen")
    parts.to_csv(folder / "participants.csv", index=False)
    segs = pd.read_csv(folder / "segments.csv")
    segs = segs[segs["case_id"].isin(keep)]
    segs.to_csv(folder / "segments.csv", index=False)
    if (folder / "documents.csv").exists():
        docs = pd.read_csv(folder / "documents.csv")
        docs[docs["case_id"].isin(keep)].to_csv(folder / "documents.csv", index=False)
    codings = pd.read_csv(folder / "codings.csv")
    codings = codings[codings["segment_id"].isin(set(segs["segment_id"]))].assign(coder="solo")
    dims = CB.dimensions_of(codings["code"])
    tension_rows = codings[dims.to_numpy() == "tension"]
    values = [
        (seg, value)
        for seg, code in zip(tension_rows["segment_id"], tension_rows["code"], strict=True)
        for value in CB.tension_values(code)
    ]
    codings = pd.concat(
        [
            codings[dims.to_numpy() != "tension"],
            pd.DataFrame(values, columns=["segment_id", "code"]).assign(coder="solo"),
        ]
    ).drop_duplicates(["segment_id", "code"])
    codings.to_csv(folder / "codings.csv", index=False)
    (folder / "dataset.yml").write_text("title: values coded\nsynthetic: true\n")
    return folder


def _local_only(root: Path) -> Path:
    folder = root / "local_only"
    folder.mkdir()
    pd.DataFrame(
        {
            "case_id": ["solo_case"],
            "title": ["A single case"],
            "country": ["NL"],
            "service_area": ["libraries"],
            "phase": [CB.ids("phase")[0]],
            "level": [CB.ids("level")[0]],
            "mode": [CB.ids("mode")[0]],
            "logic": [CB.ids("logic")[0]],
        }
    ).to_csv(folder / "cases.csv", index=False)
    pd.DataFrame({"participant_id": ["p1"], "case_id": ["solo_case"], "role": ["citizen"]}).to_csv(
        folder / "participants.csv", index=False
    )
    pd.DataFrame(
        {"segment_id": ["s1", "s2"], "case_id": "solo_case", "participant_id": "p1"}
    ).to_csv(folder / "segments.csv", index=False)
    pd.DataFrame(
        {"segment_id": ["s1", "s2", "s2"], "code": ["local_a", "local_a", "local_b"]}
    ).to_csv(folder / "codings.csv", index=False)
    pd.DataFrame(
        {"id": ["local_a", "local_b"], "label": ["Mine A", "Mine B"], "dimension": "local"}
    ).to_csv(folder / "codebook_extension.csv", index=False)
    (folder / "dataset.yml").write_text("title: local codes only\nsynthetic: false\n")
    return folder


def _survey_without_choices(root: Path) -> Path:
    folder = root / "survey_no_choice"
    folder.mkdir()
    demo = cp.paths.demo_dir()
    survey = pd.read_csv(demo / "survey.csv").drop(columns=["coping_choice", "vignette", "role"])
    survey.to_csv(folder / "survey.csv", index=False)
    text = (demo / "scales.yml").read_text(encoding="utf-8")
    text = text.split("conditions:")[0]  # the scales only
    (folder / "scales.yml").write_text(text, encoding="utf-8")
    (folder / "dataset.yml").write_text("title: survey without choices\nsynthetic: true\n")
    return folder


def _one_coder_reliability(root: Path) -> Path:
    """The demo's cases with a reliability sample coded by one coder only."""
    folder = root / "one_coder"
    shutil.copytree(cp.paths.demo_dir(), folder)
    for extra in ("survey.csv", "scales.yml", "README.md"):
        (folder / extra).unlink(missing_ok=True)
    dc = pd.read_csv(folder / "double_coding.csv")
    dc[dc["coder"] == dc["coder"].iloc[0]].to_csv(folder / "double_coding.csv", index=False)
    return folder


BUILDERS = {
    "one_coder_reliability": _one_coder_reliability,
    "survey_only": _survey_only,
    "values_one_coder": _values_one_coder,
    "local_only": _local_only,
    "survey_without_choices": _survey_without_choices,
}


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_every_notebook_runs_on_an_extreme_dataset(name, tmp_path):
    folder = BUILDERS[name](tmp_path)
    assert cp.validate(folder) == []
    out = tmp_path / "reports"
    first = cp.load(folder).case_ids[:1] or None  # one case page is enough here
    results = run(folder, out_root=out, jobs=2, cases=first)
    failed = {r.key: r.error for r in results if r.status == "failed"}
    assert failed == {}
    assert {r.status for r in results} == {"ran"}
    pages = sorted(p.name for p in out.rglob("*.html"))
    assert "index.html" in pages and len(pages) >= 2
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["notebooks"]
    ds = cp.load(folder)
    keys = {r.key.split("/")[0] for r in results}
    if ds.survey is not None:
        assert any(k.startswith("survey") for k in keys)
    if "qualitative" not in ds.parts:
        assert not any(k.startswith("case") for k in keys)
    if ds.double_coding is not None:
        assert "reliability" in keys


def test_the_survey_only_report_says_what_it_cannot_show(tmp_path):
    folder = _survey_only(tmp_path)
    out = tmp_path / "reports"
    run(folder, out_root=out, jobs=1)
    page = next(out.rglob("*survey*.html")).read_text(encoding="utf-8")
    assert "Not shown." in page and "coping-choice column" in page
    assert "Cronbach" in page  # the starter scales are scored and checked
