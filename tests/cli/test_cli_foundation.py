"""Command-line contract of the foundation: init, import, cases, codebook, code, listings."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner, Result

from kodebok.cli import main
from kodebok.store.schema import SCHEMA_VERSION

INTERVJU = """---
case: Nordvik
kind: intervju
date: 2023-10-12
language: nb
speakers:
  IP: {role: rådmann, level: administrativ}
  I: {role: intervjuer, interviewer: true}
---
I: Kan du fortelle om styringssystemet?
IP: Ja, vi innførte styringskort i 2019. Det var rådmannen som tok initiativet.
I: Var tillitsvalgte med?
IP: Nei, de var ikke involvert i starten, og det angrer jeg litt på.
"""

KODEBOK = """name: Test
codes:
  - name: Styringssystem
    description: Styringskort og rapportering
    keywords: [styringskort]
    shortcut: "1"
    children:
      - name: Styringskort
  - name: Medvirkning
    children:
      - name: Tillitsvalgte
"""


def _setup(tmp_path: Path, cli: Callable[..., Result]) -> Path:
    doc = tmp_path / "nordvik_radmann.txt"
    doc.write_text(INTERVJU, encoding="utf-8")
    book = tmp_path / "kodebok.yaml"
    book.write_text(KODEBOK, encoding="utf-8")
    assert cli("import", str(doc)).exit_code == 0
    assert cli("codebook", "import", str(book)).exit_code == 0
    return doc


def test_init_creates_and_never_overwrites(tmp_path: Path) -> None:
    path = tmp_path / "ny.kodebok"
    runner = CliRunner()
    first = runner.invoke(main, ["-p", str(path), "init"])
    assert first.exit_code == 0
    assert path.exists()
    second = runner.invoke(main, ["-p", str(path), "init"])
    assert second.exit_code == 0
    assert "exists already" in second.output


def test_every_command_fails_cleanly_without_a_project(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["-p", str(tmp_path / "mangler.db"), "documents"])
    assert result.exit_code == 2
    assert "no such project file" in result.output
    assert "Traceback" not in result.output


def test_import_lists_segments_and_speakers(tmp_path: Path, cli: Callable[..., Result]) -> None:
    doc = tmp_path / "nordvik_radmann.txt"
    doc.write_text(INTERVJU, encoding="utf-8")
    result = cli("import", str(doc))
    assert result.exit_code == 0, result.output
    assert "nordvik_radmann: 4 segments, 2 speakers" in result.output
    again = cli("import", str(doc))
    assert again.exit_code == 0
    assert "unchanged" in again.output


def test_documents_json_has_case_and_counts(tmp_path: Path, cli: Callable[..., Result]) -> None:
    _setup(tmp_path, cli)
    docs = json.loads(cli("documents", "--format", "json").output)
    assert docs[0]["name"] == "nordvik_radmann"
    assert docs[0]["case"] == "Nordvik"
    assert docs[0]["segments"] == 4
    assert docs[0]["speakers"] == 2


def test_segments_json_keys_follow_the_contract(tmp_path: Path, cli: Callable[..., Result]) -> None:
    _setup(tmp_path, cli)
    segs = json.loads(cli("segments", "--doc", "nordvik_radmann", "--format", "json").output)
    assert list(segs[0]) == ["id", "document", "idx", "number", "speaker", "start", "end", "text"]
    assert [(s["idx"], s["number"]) for s in segs] == [(i, i + 1) for i in range(len(segs))]
    assert segs[1]["speaker"] == "IP"
    assert segs[1]["text"].startswith("Ja, vi innførte styringskort")


def test_code_uncode_undo_redo_round_trip(tmp_path: Path, cli: Callable[..., Result]) -> None:
    _setup(tmp_path, cli)
    assert cli("code", "nordvik_radmann", "2", "Styringskort").exit_code == 0
    rows = json.loads(cli("codings", "export", "--format", "json").output)
    assert [(r["segment_idx"], r["code"], r["coder"]) for r in rows] == [
        (1, "Styringssystem/Styringskort", "tester")
    ]
    assert "Angret" in cli("undo").output
    assert json.loads(cli("codings", "export", "--format", "json").output) == []
    assert "Gjort om igjen" in cli("redo").output
    assert len(json.loads(cli("codings", "export", "--format", "json").output)) == 1
    assert cli("uncode", "nordvik_radmann", "2", "Styringskort").exit_code == 0
    assert json.loads(cli("codings", "export", "--format", "json").output) == []


def test_unknown_code_lists_nearest_matches(tmp_path: Path, cli: Callable[..., Result]) -> None:
    _setup(tmp_path, cli)
    result = cli("code", "nordvik_radmann", "2", "Styringskrot")
    assert result.exit_code == 2
    assert "unknown code 'Styringskrot'" in result.output
    assert "Styringssystem/Styringskort" in result.output


def test_code_with_span_finds_its_segment(tmp_path: Path, cli: Callable[..., Result]) -> None:
    _setup(tmp_path, cli)
    segs = json.loads(cli("segments", "--format", "json").output)
    seg = segs[3]
    span = f"{seg['start']}:{seg['start'] + 3}"
    assert cli("code", "nordvik_radmann", "4", "Tillitsvalgte", "--span", span).exit_code == 0
    rows = json.loads(cli("codings", "export", "--format", "json").output)
    assert rows[0]["text"] == "Nei"
    assert rows[0]["segment_idx"] == 3


def test_cases_import_set_and_assign(tmp_path: Path, cli: Callable[..., Result]) -> None:
    _setup(tmp_path, cli)
    table = tmp_path / "cases.csv"
    table.write_text(
        "\ufeffcase;fylke;innbyggere\nNordvik;Møre og Romsdal;2400\nElvestad;Innlandet;14500\n",
        encoding="utf-8",
    )
    assert cli("cases", "import", str(table)).exit_code == 0
    assert cli("cases", "set", "Elvestad", "organisering=tonivå").exit_code == 0
    cases = {c["name"]: c for c in json.loads(cli("cases", "--format", "json").output)}
    assert cases["Nordvik"]["attributes"] == {"fylke": "Møre og Romsdal", "innbyggere": "2400"}
    assert cases["Elvestad"]["attributes"]["organisering"] == "tonivå"
    assert cli("cases", "assign", "nordvik_radmann", "Elvestad").exit_code == 0
    docs = json.loads(cli("documents", "--format", "json").output)
    assert docs[0]["case"] == "Elvestad"


def test_speakers_import_sets_roles(tmp_path: Path, cli: Callable[..., Result]) -> None:
    _setup(tmp_path, cli)
    table = tmp_path / "speakers.csv"
    table.write_text(
        "document,label,role,level\nnordvik_radmann,IP,kommunedirektør,administrativ\n",
        encoding="utf-8",
    )
    assert cli("speakers", "import", str(table)).exit_code == 0
    speakers = json.loads(cli("speakers", "--format", "json").output)
    ip = next(s for s in speakers if s["label"] == "IP")
    assert ip["attributes"]["role"] == "kommunedirektør"
    interviewer = next(s for s in speakers if s["label"] == "I")
    assert interviewer["interviewer"] is True


def test_speakers_import_names_the_bad_line(tmp_path: Path, cli: Callable[..., Result]) -> None:
    _setup(tmp_path, cli)
    table = tmp_path / "speakers.csv"
    table.write_text(
        "document,label,role\nnordvik_radmann,IP,rådmann\nnordvik_radmann,XX,rektor\n",
        encoding="utf-8",
    )
    result = cli("speakers", "import", str(table))
    assert result.exit_code == 2
    assert "speakers.csv, line 3" in result.output
    assert "'XX'" in result.output


def test_codebook_show_counts_codings(tmp_path: Path, cli: Callable[..., Result]) -> None:
    _setup(tmp_path, cli)
    cli("code", "nordvik_radmann", "2", "Styringskort")
    cli("code", "nordvik_radmann", "4", "Tillitsvalgte")
    tree = {c["path"]: c for c in json.loads(cli("codebook", "show", "--format", "json").output)}
    assert tree["Styringssystem/Styringskort"]["codings"] == 1
    assert tree["Medvirkning"]["codings_with_children"] == 1
    assert tree["Styringssystem"]["shortcut"] == "1"


def test_codings_import_and_export_round_trip(tmp_path: Path, cli: Callable[..., Result]) -> None:
    _setup(tmp_path, cli)
    table = tmp_path / "codings.csv"
    table.write_text(
        "document,segment_idx,code,coder\nnordvik_radmann,1,Styringskort,kari\n"
        "nordvik_radmann,3,Medvirkning/Tillitsvalgte,ola\n",
        encoding="utf-8",
    )
    result = cli("codings", "import", str(table))
    assert result.exit_code == 0, result.output
    assert "2 codings added" in result.output
    out = tmp_path / "ut.csv"
    assert cli("codings", "export", "-o", str(out)).exit_code == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "document,segment_idx,number,start,end,code,coder,origin,memo,text,status"
    assert [line.split(",")[1:3] for line in lines[1:]] == [["1", "2"], ["3", "4"]]
    assert len(lines) == 3
    again = cli("codings", "import", str(table))
    assert "0 codings added, 2 already there" in again.output
    # the exported table (both columns) imports as the same codings
    assert "0 codings added, 2 already there" in cli("codings", "import", str(out)).output


def test_codings_import_by_number_is_one_based(tmp_path: Path, cli: Callable[..., Result]) -> None:
    _setup(tmp_path, cli)
    table = tmp_path / "codings.csv"
    table.write_text("document,number,code\nnordvik_radmann,2,Styringskort\n", encoding="utf-8")
    assert cli("codings", "import", str(table)).exit_code == 0
    rows = json.loads(cli("codings", "export", "--format", "json").output)
    assert [(r["segment_idx"], r["number"]) for r in rows] == [(1, 2)]
    segs = json.loads(cli("segments", "--doc", "nordvik_radmann", "--format", "json").output)
    assert rows[0]["text"] == segs[1]["text"]
    assert segs[1]["number"] == 2


def test_codings_import_refuses_number_and_idx_that_disagree(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    _setup(tmp_path, cli)
    table = tmp_path / "codings.csv"
    table.write_text(
        "document,segment_idx,number,code\nnordvik_radmann,1,1,Styringskort\n", encoding="utf-8"
    )
    result = cli("codings", "import", str(table))
    assert result.exit_code == 2
    assert "codings.csv, line 2: number 1 and segment_idx 1 name different segments" in (
        result.output
    )
    beyond = tmp_path / "beyond.csv"
    beyond.write_text("document,segment_idx,code\nnordvik_radmann,4,Styringskort\n")
    result = cli("codings", "import", str(beyond))
    assert result.exit_code == 2
    assert (
        "beyond.csv, line 2: segment_idx 4 is not in 'nordvik_radmann' (segment_idx counts from "
        "0: it has 4 segments, segment_idx 0–3)" in result.output
    )
    by_number = tmp_path / "by_number.csv"
    by_number.write_text("document,number,code\nnordvik_radmann,5,Styringskort\n")
    result = cli("codings", "import", str(by_number))
    assert "no segment 5 in 'nordvik_radmann' (it has 4 segments, numbered 1–4)" in result.output
    missing = tmp_path / "missing.csv"
    missing.write_text("document,code\nnordvik_radmann,Styringskort\n", encoding="utf-8")
    result = cli("codings", "import", str(missing))
    assert result.exit_code == 2
    assert "number (1-based) or segment_idx (0-based)" in result.output


def test_code_takes_the_number_people_read(tmp_path: Path, cli: Callable[..., Result]) -> None:
    _setup(tmp_path, cli)
    text = cli("segments", "--doc", "nordvik_radmann").output.splitlines()
    assert text[1].startswith("nordvik_radmann #2  IP: Ja, vi innførte styringskort")
    result = cli("code", "nordvik_radmann", "2", "Styringskort")
    assert result.output == "nordvik_radmann #2 coded with Styringssystem/Styringskort (tester)\n"
    rows = json.loads(cli("codings", "export", "--format", "json").output)
    assert rows[0]["text"].startswith("Ja, vi innførte styringskort")
    assert cli("undo").output == "Angret: Kode nordvik_radmann #2 med Styringssystem/Styringskort\n"
    for bad in ("0", "5"):
        result = cli("code", "nordvik_radmann", bad, "Styringskort")
        assert result.exit_code == 2
        assert result.stderr == (
            f"Error: no segment {bad} in 'nordvik_radmann' (it has 4 segments, numbered 1–4)\n"
        )
    assert cli("memo", "nordvik_radmann", "2", "--text", "viktig").exit_code == 0
    assert cli("undo").output == "Angret: Notat på nordvik_radmann #2\n"


def test_codings_import_with_unknown_code_changes_nothing(
    tmp_path: Path,
    cli: Callable[..., Result],
    project_path: Path,
    checksum: Callable[[Path], str],
) -> None:
    _setup(tmp_path, cli)
    before = checksum(project_path)
    table = tmp_path / "codings.csv"
    table.write_text(
        "document,segment_idx,code\nnordvik_radmann,1,Styringskort\nnordvik_radmann,3,Finnesikke\n",
        encoding="utf-8",
    )
    result = cli("codings", "import", str(table))
    assert result.exit_code == 2
    assert "codings.csv, line 3: unknown code 'Finnesikke'" in result.output
    assert checksum(project_path) == before
    created = cli("codings", "import", str(table), "--create-codes")
    assert created.exit_code == 0
    assert "Finnesikke" in created.output


def test_codebook_export_yaml_reimports_identically(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    _setup(tmp_path, cli)
    out = tmp_path / "ut.yaml"
    assert cli("codebook", "export", "-o", str(out)).exit_code == 0
    before = json.loads(cli("codebook", "show", "--format", "json").output)
    other = tmp_path / "andre.kodebok"
    runner = CliRunner()
    runner.invoke(main, ["-p", str(other), "init"])
    runner.invoke(main, ["-p", str(other), "codebook", "import", str(out)])
    after = json.loads(
        runner.invoke(main, ["-p", str(other), "codebook", "show", "--format", "json"]).output
    )
    strip = [{k: v for k, v in c.items() if k != "id"} for c in before]
    assert strip == [{k: v for k, v in c.items() if k != "id"} for c in after]


def test_doctor_reports_schema_and_integrity(tmp_path: Path, cli: Callable[..., Result]) -> None:
    report = json.loads(cli("doctor", "--format", "json").output)
    assert report["integrity"] == "ok"
    assert report["schema_version"].startswith(str(SCHEMA_VERSION))


def test_importing_services_loads_neither_textual_nor_spacy() -> None:
    code = (
        "import sys, kodebok, kodebok.services, kodebok.services.documents, "
        "kodebok.services.coding, kodebok.services.codes, kodebok.cli\n"
        "bad = [m for m in ('textual', 'spacy') if m in sys.modules]\n"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_a_report_without_labels_can_name_its_speaker(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    doc = tmp_path / "rapport.txt"
    doc.write_text(
        "---\ncase: Storsjø\nkind: intervjurapport\nspeaker: Enhetsleder\nspeakers:\n"
        "  Enhetsleder: {role: enhetsleder, level: tjenesteleder}\n---\n"
        "Informanten forteller at styringskortet brukes lite.\n\n"
        "Hun mener rapporteringen tar for mye tid.\n",
        encoding="utf-8",
    )
    assert cli("import", str(doc)).exit_code == 0
    segs = json.loads(cli("segments", "--format", "json").output)
    assert [s["speaker"] for s in segs] == ["Enhetsleder", "Enhetsleder"]
    speakers = json.loads(cli("speakers", "--format", "json").output)
    assert speakers[0]["attributes"] == {"role": "enhetsleder", "level": "tjenesteleder"}
