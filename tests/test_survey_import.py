"""Survey exports (`coprod import survey`): SPSS value labels become categories (Likert items
keep their numbers), variable labels go to the data dictionary, Likert answers are checked
against scales.yml, respondents are pseudonymised and identifying columns dropped."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest
from helpers import read_csv, run_cli, tree

from coprodlib.contract.survey_design import read_survey_design
from coprodlib.errors import DataError
from coprodlib.importers.pseudonyms import Pseudonymizer
from coprodlib.importers.refi import import_qdpx
from coprodlib.importers.survey import import_survey, read_survey_file
from coprodlib.paths import KEY_FILE

SCALES = """likert: {low: 1, high: 5}
scales:
  trust:
    label: Trust in the city
    items: [t1, t2, t3]
    reversed: [t3]
conditions: {column: vignette, levels: [control, conflict]}
choices: {column: coping, levels: [avoidance, escalation, balancing]}
"""
LIKERT = {1: "Strongly disagree", 2: "Disagree", 3: "Neutral", 4: "Agree", 5: "Strongly agree"}


def spss(path: Path, t1=(1, 5, 3, 4)) -> Path:
    frame = pd.DataFrame(
        {
            "ResponseId": ["R_a1", "R_a2", "R_a3", "R_a4"],
            "vignette": [1.0, 2.0, 1.0, 2.0],
            "role": [1.0, 2.0, 3.0, 1.0],
            "t1": [float(v) for v in t1],
            "t2": [2.0, 2.0, None, 5.0],
            "t3": [4.0, 1.0, 3.0, 3.0],
            "coping": [1.0, 3.0, 2.0, 3.0],
            "IPAddress": ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"],
            "age": [34.0, 51.0, 45.0, 29.0],
        }
    )
    pyreadstat.write_sav(
        frame,
        str(path),
        column_labels={
            "vignette": "Vignette shown",
            "role": "Your role in the project",
            "t1": "The city keeps its promises",
            "t2": "The city listens to residents",
            "t3": "The city ignores our advice",
            "coping": "What would you do?",
            "age": "Age in years",
        },
        variable_value_labels={
            "vignette": {1: "control", 2: "conflict"},
            "role": {1: "citizen", 2: "professional", 3: "public manager"},
            "t1": LIKERT,
            "t2": LIKERT,
            "t3": LIKERT,
            "coping": {1: "avoidance", 2: "escalation", 3: "balancing"},
        },
        variable_measure={
            "vignette": "nominal",
            "role": "nominal",
            "t1": "ordinal",
            "t2": "ordinal",
            "t3": "ordinal",
            "coping": "nominal",
            "age": "scale",
        },
    )
    return path


@pytest.fixture
def scales(tmp_path) -> Path:
    path = tmp_path / "scales.yml"
    path.write_text(SCALES, encoding="utf-8")
    return path


def test_spss_value_labels_become_categories_and_labels_go_to_the_dictionary(tmp_path, scales):
    sav = spss(tmp_path / "survey.sav")
    to = tmp_path / "sv"
    result = import_survey(sav, to, scales=scales)
    assert result.respondents == 4 and result.labelled == 6
    assert result.dropped == ("IPAddress",) and result.checked_scales == ("trust",)
    survey = read_csv(to / "survey.csv")
    assert survey.columns.tolist() == [
        "respondent_id", "vignette", "role", "t1", "t2", "t3", "coping", "age",
    ]  # fmt: skip
    assert survey["vignette"].tolist() == ["control", "conflict", "control", "conflict"]
    # role labels that name codebook roles become role ids
    assert survey["role"].tolist() == ["citizen", "professional", "public_manager", "citizen"]
    assert survey["coping"].tolist() == ["avoidance", "balancing", "escalation", "balancing"]
    assert survey["t1"].tolist() == ["1", "5", "3", "4"]  # Likert items keep their numbers
    assert survey["t2"].tolist() == ["2", "2", "", "5"]
    assert survey["age"].tolist() == ["34", "51", "45", "29"]
    pseudo = Pseudonymizer.for_folder(to)
    assert survey["respondent_id"].tolist() == [
        pseudo("respondent", f"R_a{k}") for k in range(1, 5)
    ]
    key = read_csv(to / KEY_FILE)
    assert set(key["original"]) == {"R_a1", "R_a2", "R_a3", "R_a4"}
    assert "10.0.0" not in (to / "survey.csv").read_text(encoding="utf-8")

    dic = read_csv(to / "survey_dictionary.csv").set_index("source_column")
    assert dic.loc["t1", "label"] == "The city keeps its promises"
    assert dic.loc["t1", "value_labels"].startswith("1=Strongly disagree | 2=Disagree")
    assert dic.loc["t1", "scale"] == "trust" and dic.loc["t1", "type"] == "number"
    assert dic.loc["role", "type"] == "category" and "role ids" in dic.loc["role", "note"]
    assert dic.loc["role", "value_labels"] == "1=citizen | 2=professional | 3=public manager"
    assert dic.loc["IPAddress", "type"] == "dropped" and dic.loc["IPAddress", "column"] == ""
    assert dic.loc["age", "label"] == "Age in years"
    assert (to / "scales.yml").read_text(encoding="utf-8") == SCALES
    meta = (to / "dataset.yml").read_text(encoding="utf-8")
    assert "synthetic: false" in meta and "format: sav" in meta


def test_likert_answers_outside_the_scale_are_refused(tmp_path, scales, capsys):
    sav = spss(tmp_path / "survey.sav", t1=(1, 7, 3, 4))
    before = tree(tmp_path)
    with pytest.raises(DataError, match=r"row 3, column 't1': found 7; expected an answer from 1"):
        import_survey(sav, tmp_path / "sv", scales=scales)
    assert run_cli("import", "survey", str(sav), "--to", str(tmp_path / "sv"), "--scales",
                   str(scales)) == 1  # fmt: skip
    assert "found 7" in capsys.readouterr().err
    assert tree(tmp_path) == before


def test_without_scales_measurement_level_decides(tmp_path):
    sav = spss(tmp_path / "survey.sav")
    result = import_survey(sav, tmp_path / "sv")
    survey = read_csv(tmp_path / "sv" / "survey.csv")
    assert survey["t1"].tolist() == ["1", "5", "3", "4"]  # ordinal: numbers kept
    assert survey["vignette"].iloc[0] == "control"  # nominal: labels
    assert any("starter scales.yml" in w for w in result.warnings)
    # the three labelled ordinal items t1..t3 share the stem "t": one starter scale, 1-5
    design = read_survey_design(tmp_path / "sv" / "scales.yml")
    assert list(design.scales) == ["t"]
    scale = design.scales["t"]
    assert (scale.items, scale.reversed, scale.low, scale.high) == (("t1", "t2", "t3"), (), 1, 5)
    assert "reversed items are NOT marked" in (tmp_path / "sv" / "scales.yml").read_text()
    assert result.starter_scales and "starter" in result.summary()


def test_csv_with_bom_semicolons_and_qualtrics_header_rows(tmp_path, scales):
    csv = tmp_path / "qualtrics.csv"
    lines = [
        "ResponseId;vignette;t1;t2;t3;coping;RecipientEmail",
        "Response ID;Which vignette;Keeps promises;Listens;Ignores advice;Choice;Email",
        '{"ImportId":"_recordId"};{"ImportId":"v"};{"ImportId":"QID1"};{"ImportId":"QID2"};'
        '{"ImportId":"QID3"};{"ImportId":"QID4"};{"ImportId":"email"}',
        "R_1;control;4;5;1;balancing;a@example.org",
        "R_2;conflict;2;;3;avoidance;b@example.org",
    ]
    csv.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode("utf-8"))
    to = tmp_path / "sv"
    result = import_survey(csv, to, scales=scales)
    assert result.respondents == 2 and result.dropped == ("RecipientEmail",)
    survey = read_csv(to / "survey.csv")
    assert survey["t1"].tolist() == ["4", "2"] and survey["coping"].tolist() == ["balancing",
                                                                                  "avoidance"]  # fmt: skip
    dic = read_csv(to / "survey_dictionary.csv").set_index("source_column")
    assert dic.loc["t1", "label"] == "Keeps promises"
    assert "example.org" not in (to / "survey.csv").read_text(encoding="utf-8")


def test_xlsx_with_sheet_and_numbered_respondents(tmp_path, scales):
    path = tmp_path / "survey.xlsx"
    frame = pd.DataFrame(
        {"vignette": ["control", "conflict"], "t1": [1, 2], "t2": [3, 4], "t3": [5, 1],
         "coping": ["avoidance", "escalation"]}
    )  # fmt: skip
    with pd.ExcelWriter(path) as xl:
        pd.DataFrame({"x": [1]}).to_excel(xl, sheet_name="readme", index=False)
        frame.to_excel(xl, sheet_name="answers", index=False)
    result = import_survey(path, tmp_path / "sv", scales=scales, sheet="answers")
    survey = read_csv(tmp_path / "sv" / "survey.csv")
    assert survey["respondent_id"].tolist() == ["r00001", "r00002"]
    assert survey["t3"].tolist() == ["5", "1"]
    assert any("numbered" in w for w in result.warnings)


def test_bad_inputs_are_refused(tmp_path, scales):
    sav = spss(tmp_path / "survey.sav")
    with pytest.raises(DataError, match="--id-column"):
        import_survey(sav, tmp_path / "sv", id_column="participant")
    dup = tmp_path / "dup.csv"
    dup.write_text("respondent_id,t1\nr1,3\nr1,4\n", encoding="utf-8")
    with pytest.raises(DataError, match="used once"):
        import_survey(dup, tmp_path / "sv")
    odd = tmp_path / "survey.json"
    odd.write_text("{}", encoding="utf-8")
    with pytest.raises(DataError, match=r"\.sav"):
        import_survey(odd, tmp_path / "sv")
    latin = tmp_path / "latin.csv"
    latin.write_bytes("respondent_id,ort\nr1,K\xf6ln\n".encode("latin-1"))
    with pytest.raises(DataError, match="UTF-8"):
        import_survey(latin, tmp_path / "sv")
    broken = tmp_path / "broken.sav"
    broken.write_bytes(b"not spss at all")
    with pytest.raises(DataError, match="SPSS"):
        import_survey(broken, tmp_path / "sv")
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w") as zf:
        zf.writestr("../../evil.xml", b"x")
    with pytest.raises(DataError, match="'..'"):
        import_survey(bomb, tmp_path / "sv")
    demo = tmp_path / "demo"
    demo.mkdir()
    (demo / "dataset.yml").write_text("synthetic: true\n", encoding="utf-8")
    with pytest.raises(DataError, match="synthetic"):
        import_survey(sav, demo, scales=scales)
    assert not (tmp_path / "sv").exists()
    assert read_survey_file(sav).value_labels["vignette"] == {1: "control", 2: "conflict"}


QDE = """<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" origin="QualCoder 3.5" name="Survey study">
  <CodeBook><Codes><Code guid="6F000000-0000-4000-8000-000000000001" name="Trade-off"
    isCodable="true"/></Codes></CodeBook>
  <Sources><TextSource guid="5A000000-0000-4000-8000-000000000001" name="Interview 1">
    <PlainTextContent>We chose speed over care.</PlainTextContent>
    <PlainTextSelection guid="AE000000-0000-4000-8000-000000000001" startPosition="9"
      endPosition="24"><Coding guid="9D000000-0000-4000-8000-000000000001">
      <CodeRef targetGUID="6F000000-0000-4000-8000-000000000001"/></Coding>
    </PlainTextSelection></TextSource></Sources>
</Project>"""


def test_survey_added_to_an_imported_project_validates(tmp_path, scales):
    from coprodlib.contract.dataset import validate

    project = tmp_path / "p.qdpx"
    with zipfile.ZipFile(project, "w") as zf:
        zf.writestr("project.qde", QDE)
    to = tmp_path / "data" / "study"
    import_qdpx(project, to, keep_text=True)
    segments = (to / "segments.csv").read_bytes()
    salt = (to / ".coprod_salt").read_bytes()
    assert run_cli("import", "survey", str(spss(tmp_path / "s.sav")), "--to", str(to),
                   "--scales", str(scales)) == 0  # fmt: skip
    assert (to / "segments.csv").read_bytes() == segments
    assert (to / ".coprod_salt").read_bytes() == salt
    assert read_csv(to / "segments.csv")["text"].tolist() == ["speed over care"]
    assert validate(to) == []
    meta = (to / "dataset.yml").read_text(encoding="utf-8")
    assert "qualitative:" in meta and "survey:" in meta
    key = read_csv(to / KEY_FILE)
    assert {"participant", "document", "respondent"} <= set(key["kind"])
    # the qualitative import can be re-run: the survey stays
    import_qdpx(project, to)
    assert (to / "survey.csv").is_file() and validate(to) == []
    # and so can the survey import (scales.yml already in the folder is used)
    first = read_csv(to / "survey.csv")["respondent_id"].tolist()
    import_survey(tmp_path / "s.sav", to)
    assert read_csv(to / "survey.csv")["respondent_id"].tolist() == first


def test_spss_user_missing_codes_become_empty_without_a_label_warning(tmp_path):
    # t1 declares 9 ("don't know") missing, t2 the range 8-9; both carry labels for them
    frame = pd.DataFrame(
        {"ResponseId": ["a", "b", "c", "d"], "t1": [1.0, 9.0, 3.0, 4.0],
         "t2": [2.0, 2.0, 8.0, 5.0], "t3": [4.0, 1.0, 3.0, 3.0]}
    )  # fmt: skip
    sav = tmp_path / "missing.sav"
    labels = {**LIKERT, 9: "Don't know"}
    pyreadstat.write_sav(
        frame, str(sav),
        variable_value_labels={"t1": labels, "t2": {**LIKERT, 8: "Refused", 9: "Don't know"},
                               "t3": LIKERT},
        variable_measure={"t1": "ordinal", "t2": "ordinal", "t3": "ordinal"},
        missing_ranges={"t1": [9], "t2": [{"lo": 8, "hi": 9}]},
    )  # fmt: skip
    plain = tmp_path / "plain_scales.yml"
    plain.write_text("scales:\n  trust: {items: [t1, t2, t3], low: 1, high: 5}\n")
    result = import_survey(sav, tmp_path / "sv", scales=plain)
    survey = pd.read_csv(tmp_path / "sv" / "survey.csv")
    assert survey["t1"].isna().tolist() == [False, True, False, False]
    assert survey["t2"].isna().tolist() == [False, False, True, False]
    assert not any("missing values in SPSS" in w for w in result.warnings)
    assert "t1: 9" in result.summary() and "t2: 8-9" in result.summary()
    dic = read_csv(tmp_path / "sv" / "survey_dictionary.csv").set_index("column")
    assert "declared missing" in dic.loc["t2", "note"]


def test_duplicate_ids_name_both_rows_and_id_column_none_numbers_rows(tmp_path, capsys):
    frame = pd.DataFrame({"id": [240.0, 242.0, 241.0, 242.0], "t1": [1.0, 2.0, 3.0, 4.0]})
    sav = tmp_path / "dup.sav"
    pyreadstat.write_sav(frame, str(sav))
    with pytest.raises(DataError) as err:
        import_survey(sav, tmp_path / "sv")
    message = str(err.value)
    assert "row 5" in message and "found '242';" in message and "already on row 3" in message
    assert "np." not in message and "242.0" not in message
    assert "--id-column none" in message
    result = import_survey(sav, tmp_path / "sv", id_column="none")
    survey = read_csv(tmp_path / "sv" / "survey.csv")
    assert survey["respondent_id"].tolist() == ["r00001", "r00002", "r00003", "r00004"]
    assert survey["id"].tolist() == ["240", "242", "241", "242"]  # kept as an answer column
    assert result.respondents == 4


def test_identifying_columns_are_found_by_name_label_and_values(tmp_path):
    csv = tmp_path / "contacts.csv"
    csv.write_text(
        "respondent_id,Full Name,q7,contact_frequency,service_name,Q9,t1\n"
        "r1,Ann Smith,ann@example.org,3,library,192.168.0.1,4\n"
        "r2,Bob Jones,bob@example.net,1,pool,10.0.0.7,2\n",
        encoding="utf-8",
    )
    result = import_survey(csv, tmp_path / "sv")
    assert set(result.dropped) == {"Full Name", "q7", "Q9"}
    summary = result.summary()
    assert "q7 (its values are e-mail addresses)" in summary
    assert "Q9 (its values are IP addresses)" in summary
    text = (tmp_path / "sv" / "survey.csv").read_text(encoding="utf-8")
    assert "Ann" not in text and "example.org" not in text and "192.168" not in text
    header = text.splitlines()[0].split(",")
    assert "contact_frequency" in header and "service_name" in header  # numbers, not contacts
    kept = import_survey(csv, tmp_path / "sv2", keep_columns=["Q9"])
    assert set(kept.dropped) == {"Full Name", "q7"}
    with pytest.raises(DataError, match="keep"):
        import_survey(csv, tmp_path / "sv3", keep_columns=["nope"])


def test_spss_label_marks_a_column_identifying(tmp_path):
    frame = pd.DataFrame({"ResponseId": ["a", "b"], "Q12": ["Ann, 0123", "Bob, 0456"]})
    sav = tmp_path / "label.sav"
    pyreadstat.write_sav(
        frame, str(sav), column_labels={"Q12": "How can we contact you? (phone number)"}
    )
    result = import_survey(sav, tmp_path / "sv")
    assert result.dropped == ("Q12",) and "its label" in result.summary()


def test_starter_scales_group_items_by_stem_and_validate(tmp_path):
    csv = tmp_path / "plain.csv"
    rows = ["respondent_id,Q3_1,Q3_2,Q3_3,se1,se2,age,comment"]
    rows += [f"r{k},{k % 5 + 1},{(k + 2) % 5 + 1},{k % 4 + 1},{k % 7 + 1},{(k * 3) % 7 + 1},"
             f"{30 + k},fine" for k in range(12)]  # fmt: skip
    csv.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = import_survey(csv, tmp_path / "sv")
    design = read_survey_design(tmp_path / "sv" / "scales.yml")
    assert {n: (s.items, s.low, s.high) for n, s in design.scales.items()} == {
        "q3": (("Q3_1", "Q3_2", "Q3_3"), 1, 5),
        "se": (("se1", "se2"), 1, 7),
    }
    assert result.checked_scales == ("q3", "se")


def test_review_findings_on_survey_files(tmp_path):
    """Found by an adversarial review: numbers past 2**63, Likert items labelled only at the
    ends of the scale, a labelled missing code in the starter range, a repeated header and
    phone numbers in a column named in another language."""
    big = tmp_path / "big.csv"
    big.write_text("respondent_id,score\na,1\nb,1e+19\n", encoding="utf-8")
    import_survey(big, tmp_path / "big")
    assert read_csv(tmp_path / "big" / "survey.csv")["score"].tolist() == ["1.0", "1e+19"]

    ends = {1: "Strongly disagree", 5: "Strongly agree", 9: "Don't know"}
    frame = pd.DataFrame({"id": ["a", "b", "c", "d"],
                          **{f"trust_{k}": [1.0, 3.0, 5.0, 9.0] for k in (1, 2, 3)}})  # fmt: skip
    sav = tmp_path / "ends.sav"
    pyreadstat.write_sav(
        frame, str(sav), variable_value_labels={f"trust_{k}": ends for k in (1, 2, 3)},
        missing_ranges={f"trust_{k}": [9] for k in (1, 2, 3)},
    )  # fmt: skip
    import_survey(sav, tmp_path / "ends")
    survey = read_csv(tmp_path / "ends" / "survey.csv")
    assert survey["trust_1"].tolist() == ["1", "3", "5", ""]  # numbers, 9 declared missing
    scale = read_survey_design(tmp_path / "ends" / "scales.yml").scales["trust"]
    assert (scale.items, scale.low, scale.high) == (("trust_1", "trust_2", "trust_3"), 1, 5)

    twice = tmp_path / "twice.csv"
    twice.write_text("id,q1_1,q1_1,q1_2\na,1,2,3\n", encoding="utf-8")
    with pytest.raises(DataError, match="column 3 repeats column 2"):
        import_survey(twice, tmp_path / "twice")

    phones = tmp_path / "phones.csv"
    phones.write_text(
        "respondent_id,telefon,kontakt,visited\nr1,+49 30 12340,030 555-0199,2021-03-04\n"
        "r2,+49 30 98765,0171 555 0100,2021-04-05\n",
        encoding="utf-8",
    )
    result = import_survey(phones, tmp_path / "phones")
    assert set(result.dropped) == {"telefon", "kontakt"}
    assert "kontakt (its values are phone numbers)" in result.summary()
