"""Tensions read from co-coded values, and the case and cross-case notebooks on thin data.

The expected tables are worked out by hand from the codebook's value pairs:
inclusiveness_vs_accountability = (inclusiveness, accountability),
flexibility_vs_accountability = (flexibility, accountability),
inclusion_vs_service_quality = (inclusiveness, service_quality).
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

import coprodlib as cp
from coprodlib.analysis.derived import derived_tensions, tension_sources_text
from coprodlib.taxonomy.codebook import get_codebook

IA = "inclusiveness_vs_accountability"
FA = "flexibility_vs_accountability"
IQ = "inclusion_vs_service_quality"
PD = "productivity_vs_diversity"
NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def namespace(codings, *, meta=None):
    """A dataset in memory: two cases, one citizen and one professional each."""
    segments = pd.DataFrame(
        {
            "segment_id": ["s1", "s2", "s3", "s4", "s5"],
            "case_id": ["A", "A", "A", "B", "B"],
            "participant_id": ["p1", "p1", "p2", "p3", "p3"],
        }
    )
    participants = pd.DataFrame(
        [("p1", "A", "citizen"), ("p2", "A", "professional"), ("p3", "B", "citizen")],
        columns=["participant_id", "case_id", "role"],
    )
    return SimpleNamespace(
        codings=pd.DataFrame(codings, columns=["segment_id", "code"]),
        segments=segments,
        participants=participants,
        cases=pd.DataFrame({"case_id": ["A", "B"]}),
        codebook=get_codebook(),
        meta=meta or {},
    )


@pytest.fixture
def cocoded():
    codings = [
        # s1: both values of IA, and a strategy: IA is derived
        ("s1", "inclusiveness"), ("s1", "accountability"), ("s1", "bias"),
        # s2: both values, but IA is coded as well: nothing derived
        ("s2", "inclusiveness"), ("s2", "accountability"), ("s2", IA), ("s2", "bias"),
        # s3: the values of IQ beside another tension (PD): IQ is derived all the same
        ("s3", "inclusiveness"), ("s3", "service_quality"), ("s3", PD), ("s3", "compromising"),
        # s4: one value alone: nothing
        ("s4", "inclusiveness"), ("s4", "bias"),
        # s5: inclusiveness, accountability and flexibility: IA and FA both derived
        ("s5", "inclusiveness"), ("s5", "accountability"), ("s5", "flexibility"),
        ("s5", "value_failure"),
    ]  # fmt: skip
    return namespace(codings)


def test_segments_with_both_values_of_a_tension_are_listed(cocoded) -> None:
    found = derived_tensions(cocoded)
    assert list(found.columns) == ["segment_id", "case_id", "tension", "value_a", "value_b"]
    rows = [tuple(r) for r in found.itertuples(index=False)]
    assert rows == [
        ("s1", "A", IA, "inclusiveness", "accountability"),
        ("s3", "A", IQ, "inclusiveness", "service_quality"),
        ("s5", "B", IA, "inclusiveness", "accountability"),
        ("s5", "B", FA, "flexibility", "accountability"),
    ]


def test_codings_of_marks_the_derived_tensions(cocoded) -> None:
    tensions = cp.codings_of(cocoded, "tension")
    assert tensions.columns[-1] == "derived"
    coded = tensions.loc[~tensions["derived"], ["segment_id", "code"]]
    derived = tensions.loc[tensions["derived"], ["segment_id", "code"]]
    assert [tuple(r) for r in coded.itertuples(index=False)] == [("s2", IA), ("s3", PD)]
    assert [tuple(r) for r in derived.itertuples(index=False)] == [
        ("s1", IA),
        ("s3", IQ),
        ("s5", IA),
        ("s5", FA),
    ]
    assert tensions["derived"].dtype == bool
    assert not cp.codings_of(cocoded, "strategy")["derived"].any()


def test_derived_tensions_count_in_cooccurrence_chain_and_counts(cocoded) -> None:
    co = cp.cooccurrence(cocoded, "tension", "strategy")
    n = co.set_index(["tension", "strategy"])["n"]
    # IA with bias: s1 (derived) and s2 (coded); IQ with compromising: s3 (derived)
    assert n[(IA, "bias")] == 2
    assert n[(IQ, "compromising")] == 1
    assert n[(PD, "compromising")] == 1
    paths = cp.chain(cocoded, strategy_level="strategy")
    as_tuples = {
        tuple(None if pd.isna(v) else v for v in (r.tension, r.strategy, r.effect)): r.n
        for r in paths.itertuples()
    }
    # s1 and s2: IA-bias; s3: IQ and PD with compromising; s4: bias alone; s5: IA and FA
    # with value_failure
    assert as_tuples == {
        (IA, "bias", None): 2,
        (IQ, "compromising", None): 1,
        (PD, "compromising", None): 1,
        (None, "bias", None): 1,
        (IA, None, "value_failure"): 1,
        (FA, None, "value_failure"): 1,
    }
    counts = cp.dimension_counts(cocoded, "tension", by="case_id")
    assert counts.set_index(["case_id", "code"])["n_segments"].to_dict() == {
        ("A", IA): 2,
        ("A", IQ): 1,
        ("A", PD): 1,
        ("B", FA): 1,
        ("B", IA): 1,
    }


def test_the_dataset_file_or_the_option_turns_derivation_off(cocoded) -> None:
    off = namespace(cocoded.codings, meta={"derive_tensions": False})
    assert derived_tensions(off).empty
    assert not cp.codings_of(off)["derived"].any()
    assert cp.cooccurrence(off, "tension", "strategy")["n"].sum() == 2  # s2 IA, s3 PD
    assert len(derived_tensions(off, derive_tensions=True)) == 4  # the option wins
    assert cp.chain(cocoded, derive_tensions=False)["tension"].dropna().tolist() == [IA, PD]
    assert tension_sources_text(off) == (
        "Tension codings: 2 coded; none derived from co-coded values "
        "(switched off: derive_tensions is false)."
    )
    assert tension_sources_text(cocoded) == (
        "Tension codings: 2 coded, 4 derived from segments coded with both values of a tension."
    )


@pytest.mark.parametrize("value", ["sometimes", 2, ["no"]])
def test_a_setting_that_is_not_true_or_false_is_a_data_error(cocoded, value) -> None:
    bad = namespace(cocoded.codings, meta={"derive_tensions": value})
    with pytest.raises(cp.DataError) as caught:
        cp.codings_of(bad)
    problem = caught.value.problems[0]
    assert (problem.file, problem.column) == ("dataset.yml", "derive_tensions")
    assert "true or false" in problem.expected
    assert "np." not in str(caught.value)


def test_the_option_takes_a_bool_only(cocoded) -> None:
    with pytest.raises(TypeError, match="derive_tensions"):
        cp.codings_of(cocoded, derive_tensions="no")


# --------------------------------------------------------------------------- dataset folders

CASES = pd.DataFrame(
    {
        "case_id": ["c1", "c2"],
        "title": ["Case one", "Case two"],
        "country": ["DE", "BE"],
        "service_area": ["elderly care", "employment"],
        "phase": ["co-design", "co-delivery"],
        "level": ["group", "group"],
        "mode": ["participative", "enhanced"],
        "logic": ["unknown", "unknown"],
    }
)


def write_dataset(
    folder: Path,
    codings,
    *,
    n_cases: int = 2,
    roles=("citizen", "professional"),
    dataset_yml: str | None = None,
    extra: dict[str, pd.DataFrame] | None = None,
) -> Path:
    """A small valid dataset folder: per case one participant of each role with three
    segments each (``<case>_p<k>_s<j>``), and the codings given."""
    folder.mkdir(parents=True, exist_ok=True)
    cases = CASES.head(n_cases)
    parts, segs = [], []
    for case in cases["case_id"]:
        for k, role in enumerate(roles):
            pid = f"{case}_p{k}"
            parts.append((pid, case, role))
            segs += [(f"{pid}_s{j}", case, pid) for j in range(3)]
    cases.to_csv(folder / "cases.csv", index=False)
    pd.DataFrame(parts, columns=["participant_id", "case_id", "role"]).to_csv(
        folder / "participants.csv", index=False
    )
    pd.DataFrame(segs, columns=["segment_id", "case_id", "participant_id"]).to_csv(
        folder / "segments.csv", index=False
    )
    pd.DataFrame(codings, columns=["segment_id", "code"]).to_csv(
        folder / "codings.csv", index=False
    )
    for name, frame in (extra or {}).items():
        frame.to_csv(folder / f"{name}.csv", index=False)
    if dataset_yml is not None:
        (folder / "dataset.yml").write_text(dataset_yml, encoding="utf-8")
    return folder


def test_local_codes_mapped_or_attached_to_values_count_as_the_values(tmp_path) -> None:
    # c1_p0_s0: two project codes mapped to the values through code_map.csv;
    # c1_p0_s1: a local code of the extension under inclusiveness, and accountability
    code_map = pd.DataFrame(
        {
            "project_code": ["Open to all", "Answerability"],
            "code": ["inclusiveness", "accountability"],
        }
    )
    extension = pd.DataFrame(
        {
            "id": ["open_door_policy"],
            "label": ["Open door policy"],
            "dimension": ["value"],
            "parent": ["inclusiveness"],
        }
    )
    codings = [
        ("c1_p0_s0", "Open to all"),
        ("c1_p0_s0", "Answerability"),
        ("c1_p0_s1", "open_door_policy"),
        ("c1_p0_s1", "accountability"),
    ]
    folder = write_dataset(
        tmp_path / "mapped",
        codings,
        extra={"code_map": code_map, "codebook_extension": extension},
    )
    found = derived_tensions(cp.load(folder))
    assert found[["segment_id", "tension"]].to_numpy().tolist() == [
        ["c1_p0_s0", IA],
        ["c1_p0_s1", IA],
    ]


def test_a_finer_tension_blocks_its_parent_and_is_not_derived_itself(tmp_path) -> None:
    # a local tension under IA, with IA's two values; coding it means IA was coded
    extension = pd.DataFrame(
        {
            "id": ["ia_in_the_budget"],
            "label": ["Inclusiveness vs accountability in the budget"],
            "dimension": ["tension"],
            "parent": [IA],
            "value_a": ["inclusiveness"],
            "value_b": ["accountability"],
        }
    )
    codings = [
        ("c1_p0_s0", "inclusiveness"),
        ("c1_p0_s0", "accountability"),  # IA derived, the finer tension not
        ("c1_p0_s1", "inclusiveness"),
        ("c1_p0_s1", "accountability"),
        ("c1_p0_s1", "ia_in_the_budget"),  # coded: nothing derived
    ]
    folder = write_dataset(tmp_path / "finer", codings, extra={"codebook_extension": extension})
    found = derived_tensions(cp.load(folder))
    assert found[["segment_id", "tension"]].to_numpy().tolist() == [["c1_p0_s0", IA]]


def test_derive_tensions_false_in_dataset_yml_is_read_by_load(tmp_path) -> None:
    codings = [("c1_p0_s0", "inclusiveness"), ("c1_p0_s0", "accountability")]
    on = cp.load(write_dataset(tmp_path / "on", codings))
    off = cp.load(write_dataset(tmp_path / "off", codings, dataset_yml="derive_tensions: false\n"))
    assert len(derived_tensions(on)) == 1
    assert derived_tensions(off).empty


def test_the_demo_has_no_co_coded_values() -> None:
    # the demo codes tensions, never values: its reports stay as they were
    assert derived_tensions(cp.load()).empty


# --------------------------------------------------------------------------- the notebooks

_SEGMENTS = [f"c{c}_p{p}_s{j}" for c in (1, 2) for p in (0, 1) for j in range(3)]
_C1 = [s for s in _SEGMENTS if s.startswith("c1")]
_LOCAL = pd.DataFrame(
    {"id": ["my_code", "other_code"], "label": ["My code", "Other code"], "dimension": "local"}
)

#: name: (codings, options of write_dataset, case_id, notes expected in the case notebook)
THIN = {
    # a Taguette project that codes values and strategies, no tension codes (crashed before)
    "values_not_tensions": (
        [(s, v) for s in _SEGMENTS for v in ("inclusiveness", "accountability")]
        + [(s, "bias") for s in _SEGMENTS[:8]],
        {},
        "c1",
        ["Tension codings: 0 coded, 6 derived", "Effects: not shown"],
    ),
    # local codes only, in one case with one role
    "local_codes_only": (
        [(s, "my_code") for s in _C1[:3]] + [(_C1[0], "other_code")],
        {"n_cases": 1, "roles": ("citizen",), "extra": {"codebook_extension": _LOCAL}},
        "c1",
        [
            "Value tensions: not shown",
            "Coping strategies by role: not shown",
            "Tensions and strategies: not shown",
            "The chain: not shown",
            "Effects: not shown",
        ],
    ),
    # strategies only, derivation off, and a case without any coding
    "case_without_codings": (
        [(s, "bias") for s in _C1] + [(_C1[0], "inclusiveness"), (_C1[0], "accountability")],
        {"dataset_yml": "derive_tensions: false\n"},
        "c2",
        ["none derived", "Value tensions: not shown", "The chain: not shown"],
    ),
}


def _markdown_outputs(path: Path) -> str:
    nb = json.loads(path.read_text(encoding="utf-8"))
    texts = []
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            texts.append("".join(out.get("data", {}).get("text/markdown", [])))
    return "\n".join(texts)


@pytest.mark.parametrize("name", sorted(THIN))
def test_case_and_cross_case_notebooks_run_on_thin_data(tmp_path, name) -> None:
    papermill = pytest.importorskip("papermill")
    codings, options, case_id, notes = THIN[name]
    folder = write_dataset(tmp_path / name, codings, **options)
    case_out = tmp_path / "case.ipynb"
    papermill.execute_notebook(
        str(NOTEBOOKS / "10_case.ipynb"),
        str(case_out),
        parameters={"dataset": str(folder), "case_id": case_id},
        kernel_name="python3",
        progress_bar=False,
        cwd=str(NOTEBOOKS),
    )
    shown = _markdown_outputs(case_out)
    for note in notes:
        assert note in shown
    cross_out = tmp_path / "cross.ipynb"
    papermill.execute_notebook(
        str(NOTEBOOKS / "20_cross_case.ipynb"),
        str(cross_out),
        parameters={"dataset": str(folder)},
        kernel_name="python3",
        progress_bar=False,
        cwd=str(NOTEBOOKS),
    )
    assert "Tension codings:" in _markdown_outputs(cross_out)
