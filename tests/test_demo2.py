"""The second SYNTHETIC demo study (data/demo2): reproducibility, contract, team codes, model.

The data are SYNTHETIC. These tests check that the generator is deterministic, that the
committed folder is its output, that the folder loads with no problems and gives codebook ids
once its code map and codebook extension are applied, and that the patterns the model builds
in (src/coprodlib/demo/second_parameters.py, reported in the folder's README) show up in the
generated codings within a tolerance. The reference values are the model's own formulas,
recomputed here from the parameters, and the library's analyses run on the loaded folder.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from test_demo import (
    check_double_coding_repeats_coder_a,
    check_ids_and_keys,
    check_same_files,
    check_texts_match_offsets,
)

import coprodlib as cp
from coprodlib.demo import parameters, second_study, writer
from coprodlib.demo import second_parameters as sp
from coprodlib.errors import DataError
from coprodlib.paths import data_dir
from coprodlib.taxonomy.codebook import get_codebook

CSV_TABLES = [n.removesuffix(".csv") for n in sp.SECOND_FILES if n.endswith(".csv")]


@pytest.fixture(scope="module")
def frames():
    return second_study.generate_second()


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    return second_study.write_second_demo(tmp_path_factory.mktemp("demo2_a") / "demo2")


@pytest.fixture(scope="module")
def loaded(written):
    return cp.load(written)


@pytest.fixture(scope="module")
def shares(frames):
    out = second_study.case_shares(frames)
    return out.merge(frames["cases"], on="case_id").set_index("case_id")


def _groups(table):
    """Masks of the configurations the model singles out."""
    hands_on_enhanced = (table["logic"] == "hands-on") & (table["mode"] == "enhanced")
    ceremonial = table["logic"] == "ceremonial"
    watchdog = table["logic"] == "watchdog"
    return hands_on_enhanced, ceremonial, watchdog


# --------------------------------------------------------------------------- reproducibility


def test_write_is_byte_for_byte_reproducible(written, tmp_path):
    again = second_study.write_second_demo(tmp_path / "elsewhere" / "demo2")
    check_same_files(written, again, sp.SECOND_FILES)


def test_committed_demo2_equals_a_fresh_write(written):
    committed = data_dir() / "demo2"
    if not (committed / "codings.csv").exists():
        pytest.skip("data/demo2 is absent: write it with write_second_demo('data/demo2')")
    assert sorted(p.name for p in committed.iterdir()) == sorted(sp.SECOND_FILES)
    for name in sp.SECOND_FILES:
        assert (committed / name).read_bytes() == (written / name).read_bytes(), (
            f"data/demo2/{name} differs from the generator's output; regenerate it after an "
            "intended change of the model"
        )


def test_same_seed_same_tables_other_seed_other_draws(frames):
    same = second_study.generate_second(sp.SECOND_SEED)
    other = second_study.generate_second(sp.SECOND_SEED + 1)
    for table in CSV_TABLES:
        pd.testing.assert_frame_equal(frames[table], same[table])
    assert not frames["codings"].equals(other["codings"])
    pd.testing.assert_frame_equal(frames["cases"], other["cases"])  # the design stays


def test_the_first_demo_is_untouched_by_the_second(tmp_path):
    # the shared writer was made public for the second study; the first demo's bytes stay
    out = writer.write_demo(tmp_path / "demo")
    committed = data_dir() / "demo"
    if not (committed / "codings.csv").exists():
        pytest.skip("data/demo is absent")
    for name in writer.DEMO_FILES:
        assert (out / name).read_bytes() == (committed / name).read_bytes(), name


def test_write_replaces_an_earlier_second_demo_and_refuses_other_files(tmp_path):
    target = tmp_path / "demo2"
    second_study.write_second_demo(target, seed=1)
    first = (target / "codings.csv").read_bytes()
    second_study.write_second_demo(target, seed=2)
    assert (target / "codings.csv").read_bytes() != first
    assert "seed: 2" in (target / "dataset.yml").read_text()
    (target / "notes.txt").write_text("keep me")
    with pytest.raises(DataError, match="notes.txt.*write_second_demo"):
        second_study.write_second_demo(target)
    assert (target / "notes.txt").read_text() == "keep me"
    with pytest.raises(ValueError, match="seed"):
        second_study.generate_second(-1)


# --------------------------------------------------------------------------- contract


def test_folder_validates_and_loads_with_codebook_ids(written, loaded, frames):
    assert cp.validate(written) == []
    assert len(loaded.codings) == len(frames["codings"])
    assert len(loaded.double_coding) == len(frames["double_coding"])
    assert loaded.meta["synthetic"] is True and loaded.meta["seed"] == sp.SECOND_SEED
    cb = loaded.codebook
    for table in (loaded.codings, loaded.double_coding):
        codes = set(table["code"].astype(str))
        assert codes <= set(cb.ids())
        assert not codes & set(sp.TEAM_LABELS.values())
    # the map changed the team's names into the ids they stand for, row by row
    raw = frames["codings"]["code"]
    expected = raw.map({v: k for k, v in sp.TEAM_LABELS.items()}).fillna(raw)
    assert loaded.codings["code"].astype(str).tolist() == expected.tolist()
    assert not (written / "survey.csv").exists() and loaded.survey is None


def test_team_codes_are_mapped_or_in_the_extension(frames):
    cb = get_codebook()
    cmap, ext = frames["code_map"], frames["codebook_extension"]
    assert list(cmap.columns) == ["project_code", "code", "local_id", "matched_by", "codings"]
    assert list(ext.columns) == ["id", "label", "dimension", "parent", "definition"]
    mapped = set(cmap.loc[cmap["code"].notna(), "project_code"])
    local = set(ext["id"])
    used = set(frames["codings"]["code"]) | set(frames["double_coding"]["code"])
    not_codebook = used - set(cb.ids())
    assert not_codebook, "a part of the codes carries the team's own names"
    assert used & set(cb.ids("tension")), "and a part the codebook ids"
    assert used <= mapped | local
    assert not_codebook <= set(sp.TEAM_LABELS.values()) | local
    assert 2 <= len(local) <= 3 and not local & set(cb.ids())
    assert set(ext["dimension"]) <= {*cb.dimensions, "local"}
    assert set(cmap["local_id"].dropna()) == local
    assert set(cmap["code"].dropna()) <= set(cb.ids())
    # the map is one to one: two project codes never land on one id
    assert cmap["code"].dropna().is_unique and cmap["project_code"].is_unique
    counts = frames["codings"]["code"].value_counts()
    written_as = cmap["local_id"].fillna(cmap["project_code"])
    assert (cmap["codings"] == written_as.map(counts).fillna(0)).all()
    extended = cb.extend(ext)
    assert extended.family("local_coping_passing_it_up_petition") == "escalation"
    assert extended.favours("local_coping_passing_it_up_petition") == "one"


def test_ids_sorted_unique_keys_resolve_and_distinct_from_the_first_demo(frames):
    people, cases = frames["participants"], frames["cases"]
    check_ids_and_keys(frames)
    first = parameters.DEMO_CASES
    assert not set(cases["case_id"]) & {c["case_id"] for c in first}
    prefixes = {c["prefix"] for c in first}
    assert not any(p.startswith(tuple(prefixes)) for p in people["participant_id"])


def test_offsets_and_texts(frames):
    seg = frames["segments"]
    check_texts_match_offsets(frames)
    assert 300 <= len(seg) <= 600  # small: every notebook runs on it quickly


def test_synthetic_labels_everywhere(written):
    meta = yaml.safe_load((written / "dataset.yml").read_text())
    assert meta["synthetic"] is True and meta["seed"] == sp.SECOND_SEED
    assert meta["name"] == "demo2"
    assert (
        "SYNTHETIC" in meta["description"]
        and "Not real interviews, not findings" in (meta["description"])
    )
    assert "synthetic" in meta["title"].lower()
    readme = (written / "README.md").read_text()
    assert readme.startswith("# SYNTHETIC DATA")
    assert "Not real interviews, not findings" in readme
    assert f"`{sp.SECOND_SEED}`" in readme
    cases = pd.read_csv(written / "cases.csv")
    assert cases["title"].str.contains("synthetic").all()
    docs = pd.read_csv(written / "documents.csv")
    assert docs["title"].str.endswith("(synthetic)").all()
    # every bracketed citation is a key of the codebook's references
    refs = set(get_codebook().references["key"])
    cited = {k for group in re.findall(r"\[([a-z0-9; ]+)\]", readme) for k in group.split("; ")}
    assert {"iias", "bovaird2019", "brix2021", "jaspers2021d"} <= cited <= refs
    assert set(cases["study"]) <= refs


def test_design_varies_the_conditions(frames):
    cases = frames["cases"]
    assert 8 <= len(cases) <= 12
    cb = get_codebook()
    for dim in ("phase", "level", "mode", "logic"):
        assert cb.check(cases[dim], dim, file="cases.csv", column=dim) == []
        assert cases[dim].nunique() >= 3, dim
    assert cases["country"].nunique() >= 5
    assert not set(cases["country"]) & {"BE", "DE"}  # other countries than the first demo
    # every configuration of logic and mode the model singles out is there at least twice
    he, cer, wd = _groups(cases)
    assert he.sum() >= 2 and cer.sum() >= 2 and wd.sum() >= 2


# --------------------------------------------------------------------------- the model


def _expected_one_sided(frames) -> pd.Series:
    """Each case's expected share of one-sided strategies, from the model's formulas.

    The family probabilities per role group (first demo's logits plus the case's shifts,
    recomputed here from ONE_SIDED_MODEL and ESCALATION_MODEL), weighted by the case's
    strategy codings per role group.
    """
    cb = get_codebook()
    m, e = sp.ONE_SIDED_MODEL, sp.ESCALATION_MODEL
    cases = frames["cases"].set_index("case_id")
    seg = frames["segments"].merge(frames["participants"], on=["participant_id", "case_id"])
    group = seg["role"].map({r: parameters.ROLE_GROUPS.index(cb.root(r)) for r in seg["role"]})
    weights = pd.crosstab(seg["case_id"], group, normalize="index")
    out = {}
    for cid, c in cases.iterrows():
        s = m["base"] + m["hands_on"] * (c["logic"] == "hands-on")
        s += m["enhanced"] * (c["mode"] == "enhanced") + m["watchdog"] * (c["logic"] == "watchdog")
        esc = e["watchdog"] * (c["logic"] == "watchdog") + e["collective"] * (
            c["level"] == "collective"
        )
        logits = parameters.FAMILY_LOGITS + np.array([s, s + esc, s, 0.0])
        p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
        one = 1 - p[:, parameters.FAMILIES.index("balancing")]
        out[cid] = float((weights.loc[cid].reindex(range(3), fill_value=0) * one).sum())
    return pd.Series(out)


def test_latent_shifts_follow_the_conditions(frames):
    cases = second_study.second_case_table().set_index("case_id")
    m = sp.ONE_SIDED_MODEL
    assert cases.loc["gb_ni_lab_waste", "one_sided"] == pytest.approx(
        m["base"] + m["hands_on"] + m["enhanced"]
    )
    assert cases.loc["br_health_council_watchdog", "one_sided"] == pytest.approx(
        m["base"] + m["watchdog"]
    )
    assert cases.loc["br_health_council_watchdog", "escalation_shift"] == pytest.approx(
        sp.ESCALATION_MODEL["watchdog"] + sp.ESCALATION_MODEL["collective"]
    )


def test_drawn_shares_agree_with_the_analyses_of_the_loaded_folder(loaded, frames, shares):
    table = cp.aggregation(loaded).set_index("case_id")
    np.testing.assert_allclose(
        table["share_one_sided"], frames["model"]["case_share_one_sided"].reindex(table.index)
    )
    np.testing.assert_allclose(table["share_one_sided"], shares["share_one_sided"])
    np.testing.assert_allclose(table["share_undesired"], shares["share_undesired"])


def test_expected_shares_follow_the_documented_formulas(frames):
    table = second_study.expected_shares(frames).set_index("case_id")
    mine = _expected_one_sided(frames).reindex(table.index)
    np.testing.assert_allclose(table["share_one_sided"], mine, rtol=1e-12)
    assert table["share_undesired"].between(0, 1).all()


def test_drawn_shares_are_near_their_expected_values(frames, shares):
    expected = second_study.expected_shares(frames).set_index("case_id").reindex(shares.index)
    gap = (shares["share_one_sided"] - expected["share_one_sided"]).abs()
    # some 40 strategy codings per case: a standard error near 0.07
    assert gap.mean() < 0.08 and gap.max() < 0.2, gap.round(3).to_dict()
    gap = (shares["share_escalation"] - expected["share_escalation"]).abs()
    assert gap.mean() < 0.08 and gap.max() < 0.2, gap.round(3).to_dict()
    # some 25 effects per case, and the drawn share feeds back into the probability
    gap = (shares["share_undesired"] - expected["share_undesired"]).abs()
    assert gap.mean() < 0.15, gap.round(3).to_dict()


def test_hands_on_enhanced_cases_cope_most_one_sidedly(shares):
    he, _, _ = _groups(shares)
    assert (
        shares.loc[he, "share_one_sided"].mean() > shares.loc[~he, "share_one_sided"].mean() + 0.1
    )


def test_watchdog_cases_escalate_most(shares):
    _, _, wd = _groups(shares)
    assert (
        shares.loc[wd, "share_escalation"].mean()
        > shares.loc[~wd, "share_escalation"].mean() + 0.08
    )


def test_undesired_effects_follow_the_configurations(shares):
    he, cer, wd = _groups(shares)
    high = he | cer
    assert (
        shares.loc[high, "share_undesired"].mean()
        > shares.loc[~high, "share_undesired"].mean() + 0.2
    )
    assert shares.loc[wd, "share_undesired"].mean() < 0.4
    assert shares.loc[cer, "share_undesired"].min() >= 0.5
    # outside the ceremonial cases, undesired effects rank with one-sided coping
    rest = shares[~cer]
    assert rest["share_one_sided"].corr(rest["share_undesired"], method="spearman") > 0.5
    # a crisp outcome at 0.5 splits the cases: the comparison of configurations has both sides
    outcome = shares["share_undesired"] >= 0.5
    assert 3 <= outcome.sum() <= 7


def test_citizen_share_differs_between_cases(shares):
    assert shares["share_citizen"].max() - shares["share_citizen"].min() > 0.2
    assert (shares["n_effects"] >= 10).all()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_built_in_pattern_holds_for_other_seeds(seed):
    f = second_study.generate_second(seed)
    table = second_study.case_shares(f).merge(f["cases"], on="case_id")
    he, cer, wd = _groups(table)
    assert table.loc[he, "share_one_sided"].mean() > table.loc[~he, "share_one_sided"].mean()
    assert table.loc[wd, "share_escalation"].mean() > table.loc[~wd, "share_escalation"].mean()
    high = he | cer
    assert table.loc[high, "share_undesired"].mean() > table.loc[~high, "share_undesired"].mean()


def test_double_coding_repeats_coder_a_and_agrees_plausibly(loaded, frames):
    from coprodlib.analysis.reliability import agreement, code_decisions

    check_double_coding_repeats_coder_a(frames, sp.N_DOUBLE_SECOND)
    decisions = code_decisions(loaded.double_coding.astype({"code": str}))
    res = agreement(decisions, unit=["segment_id", "code"], code="present")
    assert 0.6 <= res["alpha"].iat[0] <= 0.9


def test_paths_are_independent_of_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = second_study.write_second_demo(Path("rel") / "demo2")
    assert out.is_absolute() and out == tmp_path / "rel" / "demo2"
