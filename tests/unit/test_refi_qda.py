"""REFI-QDA exchange: valid against the schema, lossless round trip, safe against bad archives."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from kodebok.errors import ExchangeError
from kodebok.ingest.model import ParsedDocument, Turn
from kodebok.services import codes, coding
from kodebok.services.cases import set_case_attributes
from kodebok.services.documents import ImportOptions, set_attribute, store_parsed
from kodebok.services.importing import import_file
from kodebok.services.refi import export_qdpx, import_qdpx, validate_qdpx
from kodebok.store import Project

XSD = Path(__file__).resolve().parent.parent / "data" / "refi-qda" / "Project.xsd"


def _doc(name: str, lines: list[str], case: str) -> ParsedDocument:
    text = "\n".join(lines)
    turns, pos = [], 0
    for line in lines:
        label, _, rest = line.partition(": ")
        start = pos + len(label) + 2
        turns.append(Turn(start, start + len(rest), label))
        pos += len(line) + 1
    return ParsedDocument(
        name, f"{name}.txt", "intervju", text, tuple(turns), {"case": case}, frozenset({"I"}), "nb"
    )


@pytest.fixture
def rich(project: Project) -> Project:
    store_parsed(
        project,
        _doc(
            "nordvik_rektor",
            [
                "I: Hvordan brukes styringskortet?",
                "IP: Vi rapporterer hvert tertial til rådmannen.",
                "IP: Tillitsvalgte var ikke med, dessverre.",
            ],
            "Nordvik",
        ),
    )
    store_parsed(
        project,
        _doc(
            "elvestad_ordforer",
            ["I: Og i Elvestad?", "IP: Partssamarbeidet har vært avgjørende for oss."],
            "Elvestad",
        ),
    )
    set_case_attributes(project, "Nordvik", {"innbyggere": "2400", "fylke": "Møre og Romsdal"})
    set_case_attributes(project, "Elvestad", {"innbyggere": "14500", "fylke": "Innlandet"})
    set_attribute(project, "document", 1, "dato", "2023-10-12")
    codes.create_code(
        project,
        "Styring/Rapportering",
        coder="kari",
        color="#4e79a7",
        description="Rapportering oppover i linjen",
    )
    codes.create_code(project, "Medvirkning/Tillitsvalgte", coder="kari")
    coding.code_segment(
        project, "nordvik_rektor", 1, "Rapportering", coder="kari", memo="Tydelig eksempel"
    )
    coding.code_segment(project, "nordvik_rektor", 2, "Tillitsvalgte", coder="ola")
    coding.code_segment(project, "nordvik_rektor", 1, "Rapportering", coder="ola", span=(40, 48))
    coding.code_segment(project, "elvestad_ordforer", 1, "Medvirkning", coder="kari")
    coding.write_memo(project, "document", 2, "Ordføreren var svært positiv.", coder="kari")
    return project


def _snapshot(project: Project) -> dict[str, object]:
    from kodebok.store import queries as q

    return {
        "codes": [(c.path, c.description, c.color) for c in q.codes(project)],
        "codings": sorted(
            (r["document"], r["start"], r["end"], r["code"], r["coder"], r["memo"])
            for r in coding.export_codings(project)
        ),
        "cases": [(c.name, c.attributes) for c in q.cases(project)],
        "documents": [(d.name, d.text, d.case_id is not None) for d in q.documents(project)],
    }


def test_export_is_valid_against_the_refi_schema(rich: Project) -> None:
    assert validate_qdpx(export_qdpx(rich), XSD) == []


def test_round_trip_keeps_codes_codings_cases_and_attributes(rich: Project, tmp_path: Path) -> None:
    archive = tmp_path / "prosjekt.qdpx"
    archive.write_bytes(export_qdpx(rich))
    other = Project.create(tmp_path / "tom.kodebok")
    report = import_qdpx(other, archive, coder="importer")
    assert sorted(report.documents) == ["elvestad_ordforer", "nordvik_rektor"]
    assert _snapshot(other) == _snapshot(rich)
    assert other.conn.execute("SELECT COUNT(*) FROM memos").fetchone()[0] == 1
    again = tmp_path / "igjen.qdpx"
    again.write_bytes(export_qdpx(other))
    third = Project.create(tmp_path / "tredje.kodebok")
    import_qdpx(third, again, coder="importer")
    assert _snapshot(third) == _snapshot(rich)
    other.close()
    third.close()


def test_importing_twice_adds_nothing(rich: Project, tmp_path: Path) -> None:
    archive = tmp_path / "p.qdpx"
    archive.write_bytes(export_qdpx(rich))
    other = Project.create(tmp_path / "x.kodebok")
    import_qdpx(other, archive, coder="i")
    second = import_qdpx(other, archive, coder="i")
    assert second.codings == 0
    assert second.documents == []
    other.close()


def _qdpx(qde: str, files: dict[str, bytes] | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("project.qde", qde)
        for name, data in (files or {}).items():
            zf.writestr(name, data)
    return buf.getvalue()


FOREIGN = """<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Fra QualCoder" origin="QualCoder">
  <Users><User guid="11111111-1111-1111-1111-111111111111" name="anne"/></Users>
  <CodeBook><Codes>
    <Code guid="22222222-2222-2222-2222-222222222222" name="Ledelse" isCodable="true">
      <Code guid="33333333-3333-3333-3333-333333333333" name="Lederavtaler" isCodable="true"/>
    </Code>
  </Codes></CodeBook>
  <Sources>
    <TextSource guid="44444444-4444-4444-4444-444444444444" name="intervju.docx"
        richTextPath="internal://44444444-4444-4444-4444-444444444444.docx"
        plainTextPath="internal://44444444-4444-4444-4444-444444444444.txt">
      <PlainTextSelection guid="55555555-5555-5555-5555-555555555555" startPosition="3"
          endPosition="25" creatingUser="11111111-1111-1111-1111-111111111111">
        <Coding guid="66666666-6666-6666-6666-666666666666"
            creatingUser="11111111-1111-1111-1111-111111111111">
          <CodeRef targetGUID="33333333-3333-3333-3333-333333333333"/>
        </Coding>
      </PlainTextSelection>
    </TextSource>
  </Sources>
</Project>"""


def test_foreign_project_with_docx_beside_txt_bom_and_crlf(
    project: Project, tmp_path: Path
) -> None:
    text = "I: Lederavtalen er viktig for oss.\r\nIP: Ja.\r\n"
    archive = tmp_path / "qc.qdpx"
    archive.write_bytes(
        _qdpx(
            FOREIGN,
            {
                "sources/44444444-4444-4444-4444-444444444444.txt": b"\xef\xbb\xbf" + text.encode(),
                "sources/44444444-4444-4444-4444-444444444444.docx": b"PK not really a docx",
            },
        )
    )
    result = import_file(project, archive, ImportOptions(coder="meg"))
    assert result.status == "imported"
    rows = coding.export_codings(project)
    assert [(r["code"], r["coder"], r["text"]) for r in rows] == [
        ("Ledelse/Lederavtaler", "anne", "Lederavtalen er viktig")
    ]


@pytest.mark.parametrize("entry", ["../utenfor.txt", "/etc/passwd", "sources/../../x.txt"])
def test_archive_entries_outside_the_archive_are_refused(
    project: Project, tmp_path: Path, entry: str
) -> None:
    archive = tmp_path / "ond.qdpx"
    archive.write_bytes(_qdpx(FOREIGN, {entry: b"x"}))
    with pytest.raises(ExchangeError, match="outside the archive"):
        import_qdpx(project, archive, coder="meg")
    assert not (tmp_path.parent / "utenfor.txt").exists()


def test_xml_entities_are_not_expanded(project: Project, tmp_path: Path) -> None:
    secret = tmp_path / "hemmelig.txt"
    secret.write_text("PASSORD", encoding="utf-8")
    evil = FOREIGN.replace(
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE p [<!ENTITY x SYSTEM "file://{secret}">]>',
    ).replace('name="Ledelse"', 'name="&x;"')
    archive = tmp_path / "xxe.qdpx"
    archive.write_bytes(
        _qdpx(
            evil,
            {"sources/44444444-4444-4444-4444-444444444444.txt": b"I: Lederavtalen er viktig."},
        )
    )
    try:
        import_qdpx(project, archive, coder="meg")
    except ExchangeError:
        return
    names = [r[0] for r in project.conn.execute("SELECT name FROM codes")]
    assert not any("PASSORD" in n for n in names)


def test_a_zip_bomb_is_refused(project: Project, tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("project.qde", FOREIGN)
        zf.writestr("sources/bomb.txt", b"\0" * (50 * 2**20))
    archive = tmp_path / "bomb.qdpx"
    archive.write_bytes(buf.getvalue())
    with pytest.raises(ExchangeError, match="refused"):
        import_qdpx(project, archive, coder="meg")


def test_not_a_zip_is_a_clear_error(project: Project, tmp_path: Path) -> None:
    archive = tmp_path / "feil.qdpx"
    archive.write_bytes(b"dette er ikke en zip")
    with pytest.raises(ExchangeError, match=r"not a \.qdpx file"):
        import_qdpx(project, archive, coder="meg")
