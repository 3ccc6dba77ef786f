"""The synthetic demo generator: reproducibility, structure, encoded patterns, scale.

The demo is SYNTHETIC; these tests check that the generator is deterministic, that its tables
keep the data contract, and that the patterns written into the model as assumptions show up
in the generated data within a tolerance.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import yaml

from coprodlib.demo import parameters, writer
from coprodlib.errors import DataError
from coprodlib.paths import demo_dir
from coprodlib.taxonomy.codebook import get_codebook

TABLES = ("cases", "participants", "documents", "segments", "codings", "double_coding", "survey")
CSV_FILES = [f"{t}.csv" for t in TABLES]


@pytest.fixture(scope="module")
def frames():
    return writer.generate()


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    return writer.write_demo(tmp_path_factory.mktemp("demo_a") / "demo")


def _dataset(frames):
    """The attributes the qualitative analyses read, without going through files."""
    return SimpleNamespace(
        cases=frames["cases"],
        participants=frames["participants"],
        segments=frames["segments"],
        codings=frames["codings"],
        codebook=get_codebook(),
    )


def _family_shares(frames):
    cb = get_codebook()
    strategies = set(cb.ids("strategy"))
    codings = frames["codings"].merge(frames["segments"][["segment_id", "participant_id"]])
    codings = codings.merge(frames["participants"][["participant_id", "role"]])
    codings = codings[codings["code"].isin(strategies)]
    group = codings["role"].map({r: cb.root(r) for r in codings["role"].unique()})
    family = codings["code"].map(cb.family)
    return pd.crosstab(group, family, normalize="index")


# --------------------------------------------------------------------------- reproducibility


def test_write_demo_is_byte_for_byte_reproducible(written, tmp_path):
    again = writer.write_demo(tmp_path / "elsewhere" / "demo")
    check_same_files(written, again, writer.DEMO_FILES)


def test_same_seed_same_frames_other_seed_other_frames(frames):
    same = writer.generate(parameters.DEFAULT_SEED)
    other = writer.generate(parameters.DEFAULT_SEED + 1)
    for table in TABLES:
        pd.testing.assert_frame_equal(frames[table], same[table])
    assert not frames["codings"].equals(other["codings"])
    assert not frames["survey"].equals(other["survey"])
    # the design (cases, who was interviewed) stays; the draws change
    pd.testing.assert_frame_equal(frames["cases"], other["cases"])


def test_committed_demo_equals_a_fresh_write(written):
    committed = demo_dir()
    if not (committed / "codings.csv").exists():
        pytest.skip("data/demo is absent: write it with `coprod demo --to data/demo`")
    for name in writer.DEMO_FILES:
        assert (committed / name).read_bytes() == (written / name).read_bytes(), (
            f"data/demo/{name} differs from the generator's output; regenerate it with "
            "`coprod demo --to data/demo` after an intended change of the model"
        )


def test_write_demo_replaces_an_earlier_demo(tmp_path):
    target = tmp_path / "demo"
    writer.write_demo(target, seed=1)
    first = (target / "codings.csv").read_bytes()
    writer.write_demo(target, seed=2)
    assert (target / "codings.csv").read_bytes() != first
    assert "seed: 2" in (target / "dataset.yml").read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo"]


def test_write_demo_refuses_to_delete_other_files(tmp_path):
    target = tmp_path / "mine"
    target.mkdir()
    (target / "notes.txt").write_text("keep me")
    with pytest.raises(DataError, match="notes.txt"):
        writer.write_demo(target)
    assert (target / "notes.txt").read_text() == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine"]
    a_file = tmp_path / "file"
    a_file.write_text("x")
    with pytest.raises(DataError, match="not a file"):
        writer.write_demo(a_file)


def test_write_demo_into_an_empty_folder(tmp_path):
    (tmp_path / "demo").mkdir()
    out = writer.write_demo(tmp_path / "demo")
    assert sorted(p.name for p in out.iterdir()) == sorted(writer.DEMO_FILES)


def test_cli_demo_writes_the_folder(tmp_path, capsys):
    from coprodlib.cli import main

    assert main(["demo", "--to", str(tmp_path / "d"), "--seed", "7"]) == 0
    assert "seed 7" in capsys.readouterr().out
    assert (tmp_path / "d" / "codings.csv").exists()


def test_bad_arguments_raise_value_error():
    with pytest.raises(ValueError, match="seed"):
        writer.generate(-1)
    with pytest.raises(ValueError, match="n_cases"):
        writer.generate(n_cases=0)
    with pytest.raises(ValueError, match="segments_per_case"):
        writer.generate(n_cases=8, segments_per_case=0)
    with pytest.raises(ValueError, match="n_codings"):
        writer.generate_large(n_cases=3, n_codings=100, n_segments=10)


# --------------------------------------------------------------------------- structure


def test_files_are_a_valid_dataset(written):
    dataset = pytest.importorskip("coprodlib.contract.dataset")
    if not hasattr(dataset, "validate"):
        pytest.skip("coprodlib.contract.dataset.validate is not written yet")
    assert dataset.validate(written) == []
    loaded = dataset.load(written)
    assert len(loaded.codings) == len(writer.generate()["codings"])
    assert loaded.meta["synthetic"] is True
    assert loaded.meta["seed"] == parameters.DEFAULT_SEED


def test_readme_and_meta_say_synthetic(written):
    readme = (written / "README.md").read_text()
    assert readme.startswith("# SYNTHETIC DATA")
    assert f"`{parameters.DEFAULT_SEED}`" in readme
    assert "coprod demo --to data/demo" in readme
    for key in ("aschhoff2018", "jaspers2021d", "jaspers2023", "bovaird2019"):
        assert f"[{key}" in readme or f"; {key}]" in readme or f" {key}]" in readme, key
    refs = get_codebook().references["key"].tolist()
    cited = {k for group in re.findall(r"\[([a-z0-9; ]+)\]", readme) for k in group.split("; ")}
    assert cited <= set(refs), cited - set(refs)
    meta = yaml.safe_load((written / "dataset.yml").read_text())
    assert meta["name"] == "demo" and meta["synthetic"] is True
    assert meta["seed"] == parameters.DEFAULT_SEED
    assert "SYNTHETIC" in meta["description"]


def test_six_cases_and_24_german_interviews(frames):
    cases = frames["cases"]
    assert cases["case_id"].tolist() == [
        "be_elderly_care",
        "be_mobility_planning",
        "be_vacant_spaces",
        "de_city_marketing",
        "de_employment",
        "de_urban_development",
    ]
    by_case = cases.set_index("case_id")
    assert by_case.loc["de_city_marketing", "phase"] == "co-design"
    assert by_case.loc["de_employment", "phase"] == "co-delivery"
    assert by_case.loc["de_urban_development", "phase"] == "co-assessment"
    german = cases.loc[cases["country"] == "DE", "case_id"]
    assert set(cases.loc[cases["country"] == "DE", "study"]) == {"aschhoff2018"}
    assert set(cases.loc[cases["country"] == "BE", "study"]) == {"jaspers2021d"}
    docs = frames["documents"]
    assert docs["case_id"].isin(german).sum() == 24
    people = frames["participants"]
    de_roles = set(people.loc[people["case_id"].isin(german), "role"])
    be_roles = set(people.loc[~people["case_id"].isin(german), "role"])
    assert de_roles == {"public_manager", "citizen", "third_party"}
    assert be_roles == {
        "public_manager",
        "professional",
        "project_coordinator",
        "citizen",
        "community_member",
    }
    # one interview per participant
    assert docs["participant_id"].tolist() == people["participant_id"].tolist()


def test_codes_and_attributes_are_codebook_ids(frames):
    cb = get_codebook()
    cases = frames["cases"]
    for dim in ("phase", "level", "mode", "logic"):
        assert cb.check(cases[dim], dim, file="cases.csv", column=dim) == []
    people = frames["participants"]
    assert cb.check(people["role"], "role", file="participants.csv", column="role") == []
    for table in ("codings", "double_coding"):
        codes = frames[table]["code"]
        assert cb.check(codes, ["tension", "strategy", "effect"], file=table, column="code") == []
    # the model's constant code lists, each of its own dimension
    assert cb.check(parameters.TENSIONS, "tension", file="parameters.py", column="TENSIONS") == []
    leaves = [c for f in parameters.LEAVES.values() for c, _ in f]
    assert cb.check(leaves, "strategy", file="parameters.py", column="LEAVES") == []
    assert all(cb.family(c) == f for f, ls in parameters.LEAVES.items() for c, _ in ls)
    assert sorted(parameters.FAMILIES) == sorted(set(map(cb.family, cb.ids("strategy"))))
    effects = [e for e, *_ in parameters.EFFECTS]
    assert cb.check(effects, "effect", file="parameters.py", column="EFFECTS") == []
    assert all(cb.is_desired(e) == d for e, d, *_ in parameters.EFFECTS)
    for spec in parameters.DEMO_CASES:
        assert set(spec["tensions"]) <= set(parameters.TENSIONS)
        assert set(spec["roles"]) <= set(cb.ids("role"))
    aschhoff = {
        t for s in parameters.DEMO_CASES if s["study"] == "aschhoff2018" for t in s["tensions"]
    }
    assert aschhoff == {
        "inclusiveness_vs_accountability",
        "flexibility_vs_accountability",
        "productivity_vs_diversity",
    }
    # every segment: typically tension + strategy (+ effect), at most one per dimension
    dims = frames["codings"]["code"].map(cb.dimension_of)
    per_seg = pd.crosstab(frames["codings"]["segment_id"], dims)
    assert per_seg.to_numpy().max() == 1
    assert per_seg.sum(axis=1).min() == 1
    assert 2.0 <= per_seg.sum(axis=1).mean() <= 2.6


def test_offsets_lie_within_their_documents(frames):
    seg = frames["segments"]
    docs = frames["documents"].set_index("document_id")
    assert (seg["start"] < seg["end"]).all()
    assert (seg["start"] >= 0).all()
    assert (seg["end"] <= seg["document_id"].map(docs["n_chars"])).all()
    check_texts_match_offsets(frames)
    # ordinary segments do not overlap; a few extra ones (ids ending in x) do
    overlap = seg["segment_id"].str.endswith("x")
    assert 10 <= overlap.sum() <= 0.08 * len(seg)
    plain = seg[~overlap]
    nxt = plain.groupby("document_id")["start"].shift(-1)
    assert (plain["end"] <= nxt.fillna(np.inf)).all()
    over = seg[overlap]
    prev_end = plain.set_index("segment_id")["end"]
    anchors = over["segment_id"].str[:-1]
    assert (over["start"].to_numpy() < anchors.map(prev_end).to_numpy()).all()


def test_ids_are_unique_sorted_and_keys_resolve(frames):
    cod, people, docs = frames["codings"], frames["participants"], frames["documents"]
    check_ids_and_keys(frames, extra_ids=(("survey", "respondent_id"),))
    case_of = people.set_index("participant_id")["case_id"]
    assert (docs["case_id"] == docs["participant_id"].map(case_of)).all()
    assert (
        docs["role"] == docs["participant_id"].map(people.set_index("participant_id")["role"])
    ).all()
    assert set(cod["coder"]) == {"coder_a"}


def test_double_coding_repeats_coder_a_and_agrees_plausibly(frames):
    from coprodlib.analysis.reliability import agreement, code_decisions

    dc = frames["double_coding"]
    check_double_coding_repeats_coder_a(frames, 80)
    b = dc[dc["coder"] == "coder_b"]
    assert b["segment_id"].nunique() == 80  # coder_b looked at every unit
    assert not dc["segment_id"].str.endswith("x").any()
    res = agreement(code_decisions(dc), unit=["segment_id", "code"], code="present")
    assert 0.65 <= res["alpha"].iat[0] <= 0.88
    assert res["percent_agreement"].iat[0] < 1


# --------------------------------------------------------------------------- encoded patterns


def test_citizens_avoid_and_escalate_more_than_public_servants(frames):
    shares = _family_shares(frames)
    one_sided_exit = shares[["avoidance", "escalation"]].sum(axis=1)
    assert one_sided_exit["citizen_coproducer"] > one_sided_exit["public_servant"] + 0.2
    assert (
        shares.loc["public_servant", ["trade_off", "balancing"]].sum()
        > shares.loc["citizen_coproducer", ["trade_off", "balancing"]].sum()
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_role_pattern_holds_for_other_seeds(seed):
    one_sided_exit = _family_shares(writer.generate(seed))[["avoidance", "escalation"]].sum(axis=1)
    assert one_sided_exit["citizen_coproducer"] > one_sided_exit["public_servant"]


def test_flemish_and_german_tensions_follow_their_study(frames):
    seg = frames["segments"][["segment_id", "case_id"]]
    cod = frames["codings"].merge(seg)
    tensions = cod[cod["code"].isin(parameters.TENSIONS)]
    german = tensions[tensions["case_id"].str.startswith("de_")]["code"]
    assert set(german) == {
        "inclusiveness_vs_accountability",
        "flexibility_vs_accountability",
        "productivity_vs_diversity",
    }
    flemish = tensions[tensions["case_id"].str.startswith("be_")]["code"]
    assert "inclusion_vs_service_quality" in set(flemish)
    assert not set(flemish) & set(german)


def test_one_sided_coping_ranks_with_undesired_effects(frames):
    from coprodlib.analysis.qualitative import aggregation, aggregation_test

    table = aggregation(_dataset(frames))
    # the model's record of the drawn share equals what the analysis measures
    drawn = frames["model"]["case_share_one_sided"].reindex(table["case_id"]).to_numpy()
    np.testing.assert_allclose(table["share_one_sided"].to_numpy(), drawn)
    assert aggregation_test(table)["rho"].iat[0] > 0.5
    # probabilistic, not hard-coded: across seeds the relation is positive on the whole
    rhos = [
        aggregation_test(aggregation(_dataset(writer.generate(s))))["rho"].iat[0] for s in range(8)
    ]
    assert np.mean(rhos) > 0.4
    assert sum(r > 0 for r in rhos) >= 6


def test_survey_matches_its_design(written, frames):
    from coprodlib.contract.survey_design import check_survey, read_survey_design

    design = read_survey_design(written / "scales.yml")
    survey = frames["survey"]
    assert len(survey) == 300
    assert check_survey(survey, design) == []
    assert set(design.scales) == {
        "self_efficacy",
        "external_efficacy",
        "generalised_trust",
        "trust_in_government",
    }
    assert all(len(s.reversed) == 1 and 3 <= len(s.items) <= 4 for s in design.scales.values())
    assert design.choices == ["avoidance", "escalation", "trade_off", "balancing"]
    assert set(survey["vignette"]) == set(design.conditions)
    items = survey[design.items]
    assert 0 < items.isna().to_numpy().mean() < 0.05
    assert set(np.unique(items.stack().dropna().to_numpy())) == {1, 2, 3, 4, 5}
    assert survey["role"].isin(get_codebook().ids("role")).all()
    assert survey["age"].between(18, 85).all()
    assert list(survey.columns[-3:]) == ["coping_choice", "age", "gender"]


@pytest.mark.parametrize("seed", [parameters.DEFAULT_SEED, 11, 12])
def test_external_efficacy_goes_with_trading_off_not_avoiding(written, seed):
    from coprodlib.analysis.scales import scale_scores
    from coprodlib.contract.survey_design import read_survey_design

    design = read_survey_design(written / "scales.yml")
    survey = writer.generate(seed)["survey"]
    scored = survey.join(scale_scores(survey, design))
    means = scored.groupby("coping_choice")["external_efficacy"].mean()
    assert means["trade_off"] > means["avoidance"] + 0.3
    # citizen co-producers avoid and escalate more than project coordinators
    exit_ = scored["coping_choice"].isin(["avoidance", "escalation"])
    by_role = exit_.groupby(scored["role"] == "project_coordinator").mean()
    assert by_role[False] > by_role[True]


def test_survey_reversed_items_run_against_their_scale(frames):
    survey = frames["survey"]
    for scale in parameters.SURVEY_SCALES.values():
        rev = scale["reversed"][0]
        others = [i for i in scale["items"] if i != rev]
        r = survey[others].mean(axis=1).corr(survey[rev].astype(float))
        assert r < -0.2, (rev, r)


# --------------------------------------------------------------------------- scale


def test_more_cases_add_synthetic_ones():
    out = writer.generate(5, n_cases=20, segments_per_case=60, n_respondents=50, n_double=30)
    cases = out["cases"]
    assert len(cases) == 20
    extra = cases[cases["case_id"].str.startswith("case_")]
    assert extra["case_id"].tolist() == [f"case_{i:04d}" for i in range(7, 21)]
    cb = get_codebook()
    for dim in ("phase", "level", "mode", "logic"):
        assert cb.check(extra[dim], dim, file="cases", column=dim) == []
    assert extra["country"].str.fullmatch(r"[A-Z]{2}").all()
    assert (out["segments"].groupby("case_id").size() == 60).all()
    assert len(out["survey"]) == 50
    assert out["double_coding"]["segment_id"].nunique() == 30
    assert writer.generate(n_cases=2)["cases"]["case_id"].tolist() == [
        "de_city_marketing",
        "de_employment",
    ]


@pytest.mark.parametrize(
    ("n_cases", "n_codings", "n_respondents", "n_double"),
    [(20, 50_000, 2_000, 3_000), (3, 5_000, 100, 200)],
)
def test_generate_large_hits_its_targets(n_cases, n_codings, n_respondents, n_double):
    out = writer.generate_large(
        seed=3,
        n_cases=n_cases,
        n_codings=n_codings,
        n_respondents=n_respondents,
        n_double_units=n_double,
    )
    seg, cod = out["segments"], out["codings"]
    assert len(out["cases"]) == n_cases
    assert len(cod) == n_codings
    assert len(seg) == round(0.3 * n_codings)
    assert len(out["survey"]) == n_respondents
    assert out["double_coding"]["segment_id"].nunique() == n_double
    assert seg["segment_id"].is_unique and seg["segment_id"].is_monotonic_increasing
    assert not cod.duplicated(["segment_id", "code"]).any()
    assert cod["segment_id"].astype(str).isin(seg["segment_id"]).all()
    assert (seg["start"] < seg["end"]).all()
    n_chars = seg["document_id"].map(out["documents"].set_index("document_id")["n_chars"])
    assert (seg["end"] <= n_chars).all()
    cb = get_codebook()
    assert cb.check(cod["code"].astype(str).unique(), None, file="codings", column="code") == []
    if n_codings >= 50_000:
        assert cod["code"].nunique() >= 85  # about a hundred distinct codes in use


def test_generate_large_texts_on_request():
    out = writer.generate_large(
        seed=4, n_cases=2, n_codings=2_000, n_respondents=10, n_double_units=10, texts=True
    )
    seg, texts = out["segments"], out["texts"]
    sample = seg.iloc[:: max(len(seg) // 50, 1)]
    assert all(
        texts[d][s:e] == t
        for d, s, e, t in zip(
            sample["document_id"], sample["start"], sample["end"], sample["text"], strict=True
        )
    )


def test_generate_large_without_texts_keeps_the_shape():
    out = writer.generate_large(seed=4, n_cases=2, n_codings=1_000, n_respondents=10)
    assert "texts" not in out
    assert (out["segments"]["text"] == "").all()
    assert set(out) >= {*TABLES, "scales", "meta"}
    assert list(out["segments"].columns) == list(writer.generate()["segments"].columns)


def test_paths_are_independent_of_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = writer.write_demo(Path("rel") / "demo")
    assert out.is_absolute() and out == tmp_path / "rel" / "demo"


def test_an_interrupted_write_leaves_the_old_demo_whole(tmp_path, monkeypatch):
    target = writer.write_demo(tmp_path / "demo", seed=1)
    before = {p.name: p.read_bytes() for p in target.iterdir()}
    calls = []

    def failing_fsync(fd):
        calls.append(fd)
        if len(calls) == 4:
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(writer.os, "fsync", failing_fsync)
    with pytest.raises(DataError, match="no space left on device.*nothing was changed"):
        writer.write_demo(target, seed=2)
    assert {p.name: p.read_bytes() for p in target.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo"]


@pytest.mark.parametrize("where", ["/proc/coprod_demo_test", "/dev/null/demo"])
def test_demo_to_a_folder_that_cannot_be_written_is_one_line(where, capsys):
    from coprodlib.cli import main

    if not Path(where).parent.exists():
        pytest.skip(f"{Path(where).parent} does not exist on this system")
    assert main(["demo", "--to", where]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and ".tmp-" not in err and "Errno" not in err


# --------------------------------------------------------------------------- shared checks
# Checks both demo studies must pass; tests/test_demo2.py imports them from here.


def check_same_files(written, again, files):
    """Two writes hold ``files`` alone, with the same bytes, plain newlines and UTF-8.

    ``again`` is the only entry of its parent folder: no temporary folder is left behind.
    """
    names = sorted(p.name for p in written.iterdir())
    assert names == sorted(files)
    assert sorted(p.name for p in again.iterdir()) == names
    for name in names:
        data = (written / name).read_bytes()
        assert data == (again / name).read_bytes(), name
        assert b"\r" not in data, name
        data.decode("utf-8")
    assert [p.name for p in again.parent.iterdir()] == [again.name]


def check_ids_and_keys(frames, *, extra_ids=()):
    """Ids unique and sorted, codings sorted and not repeated, and every key resolving."""
    seg, cod, dc = frames["segments"], frames["codings"], frames["double_coding"]
    people, docs, cases = frames["participants"], frames["documents"], frames["cases"]
    for table, key in (
        ("cases", "case_id"),
        ("participants", "participant_id"),
        ("documents", "document_id"),
        ("segments", "segment_id"),
        *extra_ids,
    ):
        ids = frames[table][key]
        assert ids.is_unique and ids.is_monotonic_increasing, table
    assert cod.equals(cod.sort_values(["segment_id", "code"], ignore_index=True))
    assert dc.equals(dc.sort_values(["segment_id", "coder", "code"], ignore_index=True))
    assert not cod.duplicated(["segment_id", "code"]).any()
    assert people["case_id"].isin(cases["case_id"]).all()
    assert docs["participant_id"].isin(people["participant_id"]).all()
    assert seg["participant_id"].isin(people["participant_id"]).all()
    assert seg["document_id"].isin(docs["document_id"]).all()
    assert cod["segment_id"].isin(seg["segment_id"]).all()
    assert dc["segment_id"].isin(seg["segment_id"]).all()
    case_of = people.set_index("participant_id")["case_id"]
    assert (seg["case_id"] == seg["participant_id"].map(case_of)).all()


def check_texts_match_offsets(frames):
    """Each document text as long as its ``n_chars``, and each segment its text's slice."""
    seg, texts = frames["segments"], frames["texts"]
    docs = frames["documents"].set_index("document_id")
    assert (texts.str.len() == docs["n_chars"].reindex(texts.index)).all()
    assert all(
        texts[d][s:e] == t
        for d, s, e, t in zip(
            seg["document_id"], seg["start"], seg["end"], seg["text"], strict=True
        )
    )
    assert texts.str.startswith("SYNTHETIC INTERVIEW").all()


def check_double_coding_repeats_coder_a(frames, n_segments):
    """``n_segments`` double-coded segments, by two coders, ``coder_a`` as in the codings."""
    dc, cod = frames["double_coding"], frames["codings"]
    assert dc["segment_id"].nunique() == n_segments
    assert set(dc["coder"]) == {"coder_a", "coder_b"}
    a = dc[dc["coder"] == "coder_a"][["segment_id", "code"]].reset_index(drop=True)
    sample = cod[cod["segment_id"].isin(a["segment_id"])][["segment_id", "code"]]
    pd.testing.assert_frame_equal(a, sample.reset_index(drop=True))
