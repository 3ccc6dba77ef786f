"""`coprod pool`: several datasets written as one on the shared codebook.

The teams below are cut from the synthetic demo: a few of its cases each, some codes renamed
to a team's own labels with a ``code_map.csv``, and local codes in a ``codebook_extension.csv``,
so that every kind of conflict the pool reports can be built on purpose.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

import coprodlib as cp
from coprodlib.cli import main
from coprodlib.errors import DataError
from coprodlib.importers.pooling import pool_datasets

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo"
DEMO2 = DEMO.parent / "demo2"


def _team(
    root: Path,
    name: str,
    cases: list[str],
    *,
    rename: dict[str, str] | None = None,
    code_map: str | None = None,
    extension: str | None = None,
    local_codings: dict[str, str] | None = None,
    survey: bool = False,
    titles: dict[str, str] | None = None,
) -> Path:
    """A dataset folder ``root/name`` holding the demo's ``cases``; ``rename`` gives codes the
    team's own names, ``local_codings`` (segment -> local id) adds codings of local codes."""
    folder = root / name
    folder.mkdir(parents=True)
    read = {
        t: pd.read_csv(DEMO / f"{t}.csv", dtype=str, keep_default_na=False)
        for t in ("cases", "participants", "documents", "segments", "codings")
    }
    read["cases"] = read["cases"][read["cases"]["case_id"].isin(cases)]
    if titles:
        read["cases"]["title"] = read["cases"]["case_id"].map(titles).fillna(read["cases"]["title"])
    for t in ("participants", "documents", "segments"):
        read[t] = read[t][read[t]["case_id"].isin(cases)]
    codings = read["codings"][read["codings"]["segment_id"].isin(read["segments"]["segment_id"])]
    if rename:
        codings = codings.assign(code=codings["code"].replace(rename))
    if local_codings:
        extra = pd.DataFrame(
            {
                "segment_id": list(local_codings),
                "code": list(local_codings.values()),
                "coder": "coder_a",
            }
        )
        codings = pd.concat([codings, extra], ignore_index=True)
    read["codings"] = codings
    for t, frame in read.items():
        frame.to_csv(folder / f"{t}.csv", index=False)
    (folder / "dataset.yml").write_text(f"name: {name}\ntitle: Team {name}\n", encoding="utf-8")
    if code_map:
        (folder / "code_map.csv").write_text(code_map, encoding="utf-8")
    if extension:
        (folder / "codebook_extension.csv").write_text(extension, encoding="utf-8")
    if survey:
        shutil.copyfile(DEMO / "survey.csv", folder / "survey.csv")
        shutil.copyfile(DEMO / "scales.yml", folder / "scales.yml")
    return folder


def _first_segment(case: str) -> str:
    segs = pd.read_csv(DEMO / "segments.csv", dtype=str)
    return str(segs.loc[segs["case_id"] == case, "segment_id"].iloc[0])


@pytest.fixture
def teams(tmp_path: Path) -> tuple[Path, Path]:
    """Two teams with the conflicts the module text lists: 'Vermeidung' mapped two ways,
    local code 'hesitation' defined differently, 'peer_support' defined alike, and the case
    be_elderly_care held by both (same title), de_employment by both under other titles."""
    a = _team(
        tmp_path,
        "teama",
        ["be_elderly_care", "de_employment"],
        rename={"avoidance": "Vermeidung"},
        code_map="project_code,code\nVermeidung,avoidance\n",
        extension="id,label,dimension\nhesitation,Hesitation,local\n"
        "peer_support,Peer support,local\n",
        local_codings={
            _first_segment("be_elderly_care"): "hesitation",
            _first_segment("de_employment"): "peer_support",
        },
        survey=True,
    )
    b = _team(
        tmp_path,
        "teamb",
        ["be_elderly_care", "de_employment", "be_vacant_spaces"],
        rename={"avoidance": "Vermeidung"},
        code_map="project_code,code\nVermeidung,dropping_out\n",
        extension="id,label,dimension\nhesitation,Waiting it out,local\n"
        "peer_support,Peer support,local\n",
        local_codings={
            _first_segment("be_vacant_spaces"): "hesitation",
            _first_segment("be_elderly_care"): "peer_support",
        },
        titles={"de_employment": "Another employment programme"},
    )
    return a, b


def test_pool_writes_one_dataset_with_prefixed_ids_and_a_study_column(teams, tmp_path):
    a, b = teams
    result = pool_datasets([a, b], to=tmp_path / "pooled")
    ds = cp.load(result.path)
    one, two = cp.load(a), cp.load(b)
    assert len(ds.cases) == len(one.cases) + len(two.cases) == 5
    assert len(ds.segments) == len(one.segments) + len(two.segments)
    assert len(ds.codings) == len(one.codings) + len(two.codings)
    assert set(ds.cases["study"]) == {"teama", "teamb"}
    for table, column in (
        ("cases", "case_id"),
        ("segments", "segment_id"),
        ("participants", "participant_id"),
        ("codings", "segment_id"),
    ):
        ids = getattr(ds, table)[column].astype(str)
        assert ids.str.match(r"^team[ab]_").all(), table
    assert ds.cases.set_index("case_id").loc["teama_be_elderly_care", "study"] == "teama"
    # the demo's own study column is kept as source_study
    assert set(ds.cases["source_study"]) == {"jaspers2021d", "aschhoff2018"}
    assert result.studies["study"].tolist() == ["teama", "teamb"]
    # a survey from one study: kept, respondents prefixed
    assert ds.survey is not None and ds.survey["respondent_id"].str.startswith("teama_").all()


def test_each_study_s_code_map_applies_and_the_two_ways_are_reported(teams, tmp_path):
    a, b = teams
    result = pool_datasets([a, b], to=tmp_path / "pooled")
    codings = cp.load(result.path).codings.astype(str)
    demo = pd.read_csv(DEMO / "codings.csv", dtype=str)
    segs = pd.read_csv(DEMO / "segments.csv", dtype=str)
    avoid = demo.merge(segs, on="segment_id").query("code == 'avoidance'")
    in_a = avoid[avoid["case_id"].isin(["be_elderly_care", "de_employment"])]["segment_id"]
    mine = codings[codings["segment_id"].isin("teama_" + in_a)]
    theirs = codings[codings["segment_id"].isin("teamb_" + in_a)]
    assert len(in_a) > 0
    assert set(in_a) <= set(mine.loc[mine["code"] == "avoidance", "segment_id"].str[6:])
    assert set(in_a) <= set(theirs.loc[theirs["code"] == "dropping_out", "segment_id"].str[6:])
    assert "Vermeidung" not in set(codings["code"])
    two_ways = [n for n in result.notes if n.kind == "code_mapped_two_ways"]
    assert len(two_ways) == 1
    assert "'Vermeidung'" in two_ways[0].message  # as the teams spell it
    assert "teama: avoidance" in two_ways[0].message
    assert "teamb: dropping_out" in two_ways[0].message


def test_local_codes_defined_alike_are_shared_and_defined_apart_are_renamed(teams, tmp_path):
    a, b = teams
    result = pool_datasets([a, b], to=tmp_path / "pooled")
    ext = pd.read_csv(result.path / "codebook_extension.csv", dtype=str)
    assert sorted(ext["id"]) == ["peer_support", "teama_hesitation", "teamb_hesitation"]
    ds = cp.load(result.path)
    codes = ds.codings.astype(str)
    assert codes.loc[codes["code"] == "teama_hesitation", "segment_id"].tolist() == [
        "teama_" + _first_segment("be_elderly_care")
    ]
    assert codes.loc[codes["code"] == "teamb_hesitation", "segment_id"].tolist() == [
        "teamb_" + _first_segment("be_vacant_spaces")
    ]
    assert (codes["code"] == "peer_support").sum() == 2
    renamed = [n for n in result.notes if n.kind == "local_code_renamed"]
    assert [n.studies for n in renamed] == [("teama", "teamb")]


def test_the_same_case_twice_is_reported_and_an_id_reused_for_another_case_too(teams, tmp_path):
    a, b = teams
    result = pool_datasets([a, b], to=tmp_path / "pooled")
    kinds = {(n.kind, n.message.split("'")[1]) for n in result.notes if n.kind.startswith("same")}
    assert ("same_case", "be_elderly_care") in kinds
    assert ("same_id", "de_employment") in kinds
    assert not any("be_vacant_spaces" in n.message for n in result.notes)
    readme = (result.path / "README.md").read_text(encoding="utf-8")
    assert "be_elderly_care" in readme and "'Vermeidung'" in readme
    meta = cp.load(result.path).meta
    assert [s["study"] for s in meta["pooled_from"]] == ["teama", "teamb"]
    assert {"kind": "same_case", "studies": ["teama", "teamb"]} in meta["pool_notes"]


def test_a_pool_of_synthetic_data_is_labelled_synthetic(tmp_path):
    team = _team(tmp_path, "teamc", ["de_employment"])
    result = pool_datasets([DEMO, team], to=tmp_path / "pooled")
    ds = cp.load(result.path)
    assert ds.synthetic is True
    assert "SYNTHETIC" in ds.meta["description"] and "demo" in ds.meta["description"]
    assert "SYNTHETIC" in (result.path / "README.md").read_text(encoding="utf-8")


def test_refusals_leave_nothing_behind(teams, tmp_path):
    a, b = teams
    out = tmp_path / "pooled"
    with pytest.raises(DataError, match="two or more"):
        pool_datasets([a], to=out)
    with pytest.raises(DataError, match="each dataset once"):
        pool_datasets([a, a], to=out)
    copy = tmp_path / "copy"
    shutil.copytree(a, copy)
    with pytest.raises(DataError, match="same study would count twice"):
        pool_datasets([a, copy], to=out)
    with pytest.raises(DataError, match="no underscore"):
        pool_datasets([a, b], to=out, studies=["team_a", "teamb"])
    with pytest.raises(DataError, match="one study id per dataset"):
        pool_datasets([a, b], to=out, studies=["x"])
    with pytest.raises(DataError, match="study id of its own"):
        pool_datasets([a, b], to=out, studies=["x", "x"])
    assert not out.exists()


def test_a_code_map_that_maps_one_code_two_ways_is_refused_with_its_rows(teams, tmp_path):
    a, b = teams
    (b / "code_map.csv").write_text(
        "project_code,code\nVermeidung,dropping_out\nvermeidung ,avoidance\n", encoding="utf-8"
    )
    with pytest.raises(DataError) as err:
        pool_datasets([a, b], to=tmp_path / "pooled")
    text = str(err.value)
    assert "teamb/code_map.csv" in text and "rows 2, 3" in text and "Vermeidung" in text
    assert not (tmp_path / "pooled").exists()


def test_a_dataset_with_problems_is_refused_naming_its_folder(teams, tmp_path):
    a, b = teams
    (b / "codings.csv").write_text("segment_id,code\nnope,not_a_code\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        pool_datasets([a, b], to=tmp_path / "pooled")
    assert "teamb/codings.csv" in str(err.value)
    assert not (tmp_path / "pooled").exists()


def test_surveys_on_different_scales_are_refused(teams, tmp_path):
    a, b = teams
    shutil.copyfile(DEMO / "survey.csv", b / "survey.csv")
    # the same items, but tg4 is no longer reversed: answers would mean the opposite
    scales = (
        (DEMO / "scales.yml").read_text(encoding="utf-8").replace("reversed: [tg4]", "reversed: []")
    )
    (b / "scales.yml").write_text(scales, encoding="utf-8")
    assert cp.validate(b) == []
    with pytest.raises(DataError, match="same scales"):
        pool_datasets([a, b], to=tmp_path / "pooled")


def test_two_surveys_on_the_same_scales_pool_with_a_study_column(teams, tmp_path):
    a, b = teams
    shutil.copyfile(DEMO / "survey.csv", b / "survey.csv")
    shutil.copyfile(DEMO / "scales.yml", b / "scales.yml")
    ds = cp.load(pool_datasets([a, b], to=tmp_path / "pooled").path)
    assert len(ds.survey) == 600
    assert ds.survey.groupby("study").size().to_dict() == {"teama": 300, "teamb": 300}
    assert ds.survey["respondent_id"].is_unique


def test_only_an_earlier_pool_is_replaced_and_stale_tables_go(teams, tmp_path):
    a, b = teams
    out = tmp_path / "pooled"
    pool_datasets([a, b], to=out)
    assert (out / "survey.csv").is_file()
    (a / "survey.csv").unlink()
    (a / "scales.yml").unlink()
    pool_datasets([a, b], to=out)
    assert not (out / "survey.csv").exists() and not (out / "scales.yml").exists()
    other = shutil.copytree(b, tmp_path / "other")  # a dataset no pool wrote
    with pytest.raises(DataError, match="earlier `coprod pool`"):
        pool_datasets([a, b], to=other)
    assert sorted(p.name for p in other.iterdir()) == sorted(p.name for p in b.iterdir())


def test_cli_pool_prints_studies_and_notes(teams, tmp_path, capsys):
    a, b = teams
    assert main(["pool", str(a), str(b), "--to", str(tmp_path / "p"), "--study", "x,y"]) == 0
    out = capsys.readouterr().out
    assert "pooled 2 studies" in out and "x: teama" in out and "[code_mapped_two_ways]" in out
    assert main(["pool", str(a), "--to", str(tmp_path / "q")]) == 1
    assert "two or more datasets" in capsys.readouterr().err


def test_cli_pool_takes_folders_from_where_the_user_stands(teams, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)  # teama and teamb are here, not under the project's data/
    assert main(["pool", "teama", "teamb", "--to", "pooled"]) == 0
    assert "pooled 2 studies into" in capsys.readouterr().out
    assert sorted(cp.load(tmp_path / "pooled").cases["study"].unique()) == ["teama", "teamb"]


def test_a_pool_is_not_written_into_one_of_its_studies(teams, tmp_path):
    a, b = teams
    before = sorted(p.name for p in a.iterdir())
    with pytest.raises(DataError, match="outside the datasets pooled") as err:
        pool_datasets([a, b], to=a / "pooled")
    assert err.value.problems[0].file == "--to"
    assert sorted(p.name for p in a.iterdir()) == before
    pooled = pool_datasets([a, b], to=tmp_path / "pooled").path
    with pytest.raises(DataError, match="outside the datasets pooled"):  # a pool over itself
        pool_datasets([pooled, b], to=pooled, studies=["p", "b"])
    assert (pooled / "cases.csv").is_file()


def test_a_folder_that_is_no_dataset_is_named_once(teams, tmp_path):
    a, _ = teams
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError) as err:
        pool_datasets([a, tmp_path / "empty"], to=tmp_path / "pooled")
    files = [p.file for p in err.value.problems]
    assert files and all(f.startswith("empty/") or f == str(tmp_path / "empty") for f in files)


def test_the_cross_case_notebook_compares_studies_of_a_pool(teams, tmp_path):
    a, b = teams
    ds = cp.load(pool_datasets([a, b], to=tmp_path / "pooled").path)
    assert cp.studies_of(ds) == ["teama", "teamb"]
    table = cp.study_overview(ds)
    assert table["n_cases"].tolist() == [2, 3]
    # pooled shares are codings over codings of the whole study, not a mean of case shares
    agg = cp.aggregation(ds).assign(study=lambda t: t["case_id"].str[:5])
    b_rows = agg[agg["study"] == "teamb"]
    assert table.loc[1, "share_one_sided"] == pytest.approx(
        b_rows["n_one_sided"].sum() / b_rows["n_strategies"].sum()
    )


@pytest.mark.skipif(not DEMO2.is_dir(), reason="data/demo2 (the second synthetic study) is absent")
@pytest.mark.xdist_group("pooled_demo")
def test_the_pooled_demo_runs_through_every_notebook(tmp_path):
    from coprodlib.workbook.runner import run

    pooled = pool_datasets([DEMO, DEMO2], to=tmp_path / "pooled").path
    ds = cp.load(pooled)
    first = [c for c in ds.cases["case_id"] if c.startswith("demo_")][0]
    second = [c for c in ds.cases["case_id"] if c.startswith("demo2_")][0]
    results = run(pooled, out_root=tmp_path / "reports", cases=[first, second])
    bad = [(r.key, r.error) for r in results if r.status != "ran"]
    assert bad == []
    keys = {r.key for r in results}
    assert {"cross_case", "survey", "data_check", "configurations"} <= keys
    assert (tmp_path / "reports" / "cross_case" / "tables" / "studies.csv").is_file()
    # the configurations notebook finds solutions in the pooled demo with its defaults
    solutions = pd.read_csv(tmp_path / "reports" / "configurations" / "tables" / "solutions.csv")
    assert set(solutions["solution"]) == {"conservative", "parsimonious", "intermediate"}
    assert solutions["cases"].str.contains("demo2_").any()


def test_studies_that_count_tensions_differently_are_refused(teams, tmp_path):
    a, b = teams
    meta = (b / "dataset.yml").read_text(encoding="utf-8")
    (b / "dataset.yml").write_text(meta + "derive_tensions: false\n", encoding="utf-8")
    with pytest.raises(DataError, match="derive_tensions alike") as err:
        pool_datasets([a, b], to=tmp_path / "pooled")
    assert "on in teama, off in teamb" in str(err.value)
    assert not (tmp_path / "pooled").exists()
    meta = (a / "dataset.yml").read_text(encoding="utf-8")
    (a / "dataset.yml").write_text(meta + "derive_tensions: false\n", encoding="utf-8")
    ds = cp.load(pool_datasets([a, b], to=tmp_path / "pooled").path)
    assert ds.meta["derive_tensions"] is False


def test_ids_made_too_long_by_the_prefix_are_refused_with_a_hint(tmp_path):
    long_id = "c" * 60
    team = _team(tmp_path, "teamlong", ["de_employment"], titles=None)
    for name in ("cases", "participants", "documents", "segments"):
        path = team / f"{name}.csv"
        path.write_text(
            path.read_text(encoding="utf-8").replace("de_employment", long_id), encoding="utf-8"
        )
    assert cp.validate(team) == []
    with pytest.raises(DataError) as err:
        pool_datasets([DEMO, team], to=tmp_path / "pooled")
    text = str(err.value)
    assert "pooled/cases.csv (pooled)" in text and "69 characters" in text
    assert "--study" in text
    assert not (tmp_path / "pooled").exists()
    result = pool_datasets([DEMO, team], to=tmp_path / "pooled", studies=["d", "t"])
    assert f"t_{long_id}" in set(cp.load(result.path).cases["case_id"])


def test_a_name_spelled_apart_is_shown_as_each_study_spells_it(tmp_path):
    a = _team(tmp_path, "teama", ["be_elderly_care"], rename={"avoidance": "Vermeidung"},
              code_map="project_code,code\nVermeidung,avoidance\n")  # fmt: skip
    b = _team(tmp_path, "teamb", ["de_employment"], rename={"avoidance": "VERMEIDUNG"},
              code_map="project_code,code\nVERMEIDUNG,dropping_out\n")  # fmt: skip
    (note,) = [n for n in pool_datasets([a, b], to=tmp_path / "p").notes
               if n.kind == "code_mapped_two_ways"]  # fmt: skip
    assert "The local code 'Vermeidung'" in note.message
    assert (
        "teama: avoidance" in note.message and "teamb ('VERMEIDUNG'): dropping_out" in note.message
    )


def test_names_from_the_data_reach_the_terminal_escaped(tmp_path, capsys):
    # a team's own code name with a terminal control sequence in it, mapped two ways
    odd = "Vermeidung\x1b[2J"
    a = _team(tmp_path, "teama", ["be_elderly_care"], rename={"avoidance": odd},
              code_map=f"project_code,code\n{odd},avoidance\n")  # fmt: skip
    b = _team(tmp_path, "teamb", ["de_employment"], rename={"avoidance": odd},
              code_map=f"project_code,code\n{odd},dropping_out\n")  # fmt: skip
    assert main(["pool", str(a), str(b), "--to", str(tmp_path / "p")]) == 0
    out = capsys.readouterr().out
    assert "[code_mapped_two_ways]" in out and "\x1b" not in out
    assert "\\x1b[2J" in out  # shown, as an escape, not obeyed
    assert "\x1b" not in (tmp_path / "p" / "README.md").read_text(encoding="utf-8")


def test_a_dataset_found_nowhere_is_named_as_the_user_gave_it(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["pool", "no_such_team", "demo", "--to", "pooled"]) == 1
    err = capsys.readouterr().err
    assert str(tmp_path / "no_such_team") in err and "expected a dataset folder" in err
