"""Files from other programs: real exports (tests/data/refi-qda/real) and the shapes other
programs write (PDF and document sources, inline text, CRLF and BOM, Sets, flat code paths).

Counts are checked against the XML with lxml XPath written here, independently of the reader.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from kodebok.services.refi import export_qdpx, import_qdpx, validate_qdpx
from kodebok.store import Project

DATA = Path(__file__).resolve().parent.parent / "data" / "refi-qda"
XSD = DATA / "Project.xsd"
NS = {"q": "urn:QDA-XML:project:1.0"}
NVIVO = DATA / "real" / "nvivo12_oltas0517.qdpx"


def _qde(data: bytes) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        name = next(n for n in zf.namelist() if n.lower().endswith(".qde"))
        return etree.fromstring(zf.read(name))


def _all_guids(root: etree._Element) -> set[str]:
    return {g.lower() for g in root.xpath("//@guid")}


def _count(p: Project, sql: str) -> int:
    return int(p.conn.execute(sql).fetchone()[0])


def test_a_real_nvivo_export_imports_with_every_count(project: Project) -> None:
    root = _qde(NVIVO.read_bytes())
    report = import_qdpx(project, NVIVO, coder="meg")
    assert report.warnings == []
    assert _count(project, "SELECT COUNT(*) FROM documents") == len(
        root.xpath("/q:Project/q:Sources/q:TextSource", namespaces=NS)
    )
    assert _count(project, "SELECT COUNT(*) FROM codes") == len(
        root.xpath("//q:Code", namespaces=NS)
    )
    assert _count(project, "SELECT COUNT(*) FROM codings") == len(
        root.xpath("//q:PlainTextSelection/q:Coding", namespaces=NS)
    )
    coders = {r[0] for r in project.conn.execute("SELECT DISTINCT coder FROM codings")}
    users = set(root.xpath("/q:Project/q:Users/q:User/@name", namespaces=NS))
    assert coders <= users
    assert coders
    # YouTube comments in Hungarian, with video titles such as "Covid: …" on every row:
    # not a transcript, not Norwegian, no invented speakers
    assert _count(project, "SELECT COUNT(*) FROM speakers") == 0
    assert {r[0] for r in project.conn.execute("SELECT language FROM documents")} == {"und"}


def test_nvivo_positions_count_utf16_units_over_crlf_text(project: Project) -> None:
    """NVivo counts positions in UTF-16 code units of the .txt as written (CRLF, after the
    BOM): the coded text is that slice, computed here without kodebok's position maps."""
    import_qdpx(project, NVIVO, coder="meg")
    root = _qde(NVIVO.read_bytes())
    expected: list[tuple[str, str]] = []
    with zipfile.ZipFile(NVIVO) as zf:
        for src in root.xpath("//q:TextSource", namespaces=NS):
            path = "Sources/" + src.get("plainTextPath").split("internal://")[1]
            units = zf.read(path).decode("utf-8-sig").encode("utf-16-le")
            for sel in src.xpath("q:PlainTextSelection", namespaces=NS):
                a, b = int(sel.get("startPosition")), int(sel.get("endPosition"))
                text = units[2 * a : 2 * b].decode("utf-16-le").replace("\r\n", "\n")
                expected.append((src.get("name"), text))
    got = sorted(
        (r[0], r[1][r[2] : r[3]])
        for r in project.conn.execute(
            'SELECT d.name, d.text, c.start, c."end" FROM codings c '
            "JOIN documents d ON d.id = c.document_id"
        )
    )
    assert got == sorted(expected)
    # 281 of the 303 selections are whole comments: each starts a line
    assert sum(1 for _, t in got if t and not t.startswith((" ", "\n"))) > 250


def test_a_foreign_file_keeps_every_guid_through_kodebok(project: Project, tmp_path: Path) -> None:
    before = _qde(NVIVO.read_bytes())
    import_qdpx(project, NVIVO, coder="meg")
    out = export_qdpx(project)
    assert validate_qdpx(out, XSD) == []
    assert _all_guids(before) <= _all_guids(_qde(out))
    # and importing the re-export into the same project updates nothing
    archive = tmp_path / "tilbake.qdpx"
    archive.write_bytes(out)
    again = import_qdpx(project, archive, coder="meg")
    assert again.documents == []
    assert again.codings == 0
    assert again.codes == 0


FOREIGN = """<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="t" origin="MAXQDA 24 (Release 24.7.0)">
 <Users><User guid="AAAAAAAA-0000-4000-8000-000000000001" name="anna"/></Users>
 <CodeBook><Codes>
  <Code guid="AAAAAAAA-0000-4000-8000-000000000010" name="Ledelse/Fremmer" isCodable="true"/>
  <Code guid="AAAAAAAA-0000-4000-8000-000000000011" name="Method" isCodable="true"/>
 </Codes></CodeBook>
 <Cases><Case guid="AAAAAAAA-0000-4000-8000-000000000040" name="Nordvik">
  <SourceRef targetGUID="AAAAAAAA-0000-4000-8000-000000000020"/></Case></Cases>
 <Sources>
  <TextSource guid="AAAAAAAA-0000-4000-8000-000000000020" name="intervju.txt"
      plainTextPath="internal://AAAAAAAA-0000-4000-8000-000000000020.txt">
   <PlainTextSelection guid="AAAAAAAA-0000-4000-8000-000000000030" startPosition="3"
       endPosition="21" creatingUser="AAAAAAAA-0000-4000-8000-000000000001">
    <Coding guid="AAAAAAAA-0000-4000-8000-000000000031">
     <CodeRef targetGUID="AAAAAAAA-0000-4000-8000-000000000010"/></Coding>
   </PlainTextSelection>
  </TextSource>
  <PDFSource guid="AAAAAAAA-0000-4000-8000-000000000021" name="paper.pdf"
      path="internal://AAAAAAAA-0000-4000-8000-000000000021.pdf">
   <PDFSelection guid="AAAAAAAA-0000-4000-8000-000000000032" page="1" firstX="1" firstY="1"
       secondX="9" secondY="9"/>
   <Representation guid="AAAAAAAA-0000-4000-8000-000000000022" name="paper">
    <PlainTextContent>RQ 1: What matters?
The study asks what matters for the teams and for the leaders.

RQ 2: How is it measured?
Model 1: a regression of the outcome on the leadership index.
Level 1: the team, and the data are from the survey.</PlainTextContent>
    <PlainTextSelection guid="AAAAAAAA-0000-4000-8000-000000000033" startPosition="20"
        endPosition="81">
     <Coding guid="AAAAAAAA-0000-4000-8000-000000000034">
      <CodeRef targetGUID="AAAAAAAA-0000-4000-8000-000000000011"/></Coding>
    </PlainTextSelection>
   </Representation>
  </PDFSource>
 </Sources>
 <Sets><Set guid="AAAAAAAA-0000-4000-8000-000000000050" name="Runde 1">
  <MemberSource targetGUID="AAAAAAAA-0000-4000-8000-000000000020"/>
  <MemberSource targetGUID="AAAAAAAA-0000-4000-8000-000000000021"/></Set></Sets>
</Project>"""

INTERVIEW = "\ufeffI: Lederavtalen er viktig for oss.\r\nIP: Ja, det stemmer.\r\n"


def _archive(tmp_path: Path, qde: str = FOREIGN, text: str = INTERVIEW) -> Path:
    path = tmp_path / "fremmed.qdpx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.qde", qde)
        zf.writestr("sources/AAAAAAAA-0000-4000-8000-000000000020.txt", text.encode("utf-8"))
    return path


def test_pdf_sources_sets_paths_and_bom_crlf(project: Project, tmp_path: Path) -> None:
    report = import_qdpx(project, _archive(tmp_path), coder="meg")
    assert sorted(report.documents) == ["intervju", "paper"]
    assert any("regions" in w for w in report.warnings)  # the PDFSelection: a page region
    rows = {
        r[0]: (r[1], r[2])
        for r in project.conn.execute(
            "SELECT d.name, d.kind, d.language FROM documents d ORDER BY d.name"
        )
    }
    assert rows["paper"] == ("dokument", "en")
    labels = {r[0] for r in project.conn.execute("SELECT label FROM speakers")}
    assert labels == {"I", "IP"}  # the interview's; none from RQ 2:, Model 1:, Level 1:
    coded = {
        r[0]: r[1][r[2] : r[3]]
        for r in project.conn.execute(
            'SELECT k.name, d.text, c.start, c."end" FROM codings c '
            "JOIN documents d ON d.id = c.document_id JOIN codes k ON k.id = c.code_id"
        )
    }
    # positions 3-21 of the text after the BOM, CRLF counted as two characters
    assert coded["Fremmer"] == "Lederavtalen er vi"
    assert coded["Method"] == "The study asks what matters for the teams and for the leaders"
    paths = {
        r[0]
        for r in project.conn.execute(
            "SELECT COALESCE(p.name || '/', '') || c.name FROM codes c "
            "LEFT JOIN codes p ON p.id = c.parent_id"
        )
    }
    assert "Ledelse/Fremmer" in paths
    # the MAXQDA set is a document attribute, usable as a grouping in matrix --by
    members = {
        r[0]
        for r in project.conn.execute(
            "SELECT d.name FROM attributes a JOIN documents d ON d.id = a.entity_id "
            "WHERE a.entity_kind = 'document' AND a.name = 'Runde 1' AND a.value = 'ja'"
        )
    }
    assert members == {"intervju", "paper"}
    assert project.conn.execute("SELECT coder FROM codings WHERE code_id = 2").fetchone()[0]


def test_a_foreign_set_and_case_keep_their_guids(project: Project, tmp_path: Path) -> None:
    import_qdpx(project, _archive(tmp_path), coder="meg")
    out = _qde(export_qdpx(project))
    before = _all_guids(etree.fromstring(FOREIGN.encode("utf-8")))
    # the PDF's Representation and its region selection are not kept: kodebok stores the text
    lost = {"aaaaaaaa-0000-4000-8000-000000000022", "aaaaaaaa-0000-4000-8000-000000000032"}
    assert before - lost <= _all_guids(out)
    assert out.xpath("//q:Set[@name='Runde 1']/@guid", namespaces=NS) == [
        "AAAAAAAA-0000-4000-8000-000000000050"
    ]


def test_matrix_by_a_foreign_set(project: Project, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from kodebok.cli import main

    import_qdpx(project, _archive(tmp_path), coder="meg")
    project.conn.commit()
    result = CliRunner().invoke(main, ["-p", str(project.path), "matrix", "--by", "Runde 1"])
    assert result.exit_code == 0, result.output
    assert "ja" in result.output


@pytest.mark.parametrize("origin", ["Taguette", "QualCoder 3.6"])
def test_a_flat_codebook_with_paths_gives_the_hierarchy(tmp_path: Path, origin: str) -> None:
    from kodebok.codebook import parse_qdc_codebook

    qdc = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="{origin}"><Codes>\n'
        '<Code guid="1" name="Ledelse" isCodable="true"/>\n'
        '<Code guid="2" name="Ledelse/Fremmer" isCodable="true">'
        "<Description>Når ledelsen fremmer</Description></Code>\n"
        '<Code guid="3" name="Ledelse/Hemmer" isCodable="true"/>\n'
        '<Code guid="4" name="Styring/Mål/Resultat" isCodable="true"/>\n'
        '<Code guid="5" name="Styring" isCodable="true" color="#4e79a7"/>\n'
        "</Codes></CodeBook>"
    ).encode()
    book = parse_qdc_codebook(qdc, "taguette.qdc")
    assert [p for p, _ in book.walk()] == [
        "Ledelse",
        "Ledelse/Fremmer",
        "Ledelse/Hemmer",
        "Styring",
        "Styring/Mål",
        "Styring/Mål/Resultat",
    ]
    assert dict(book.walk())["Ledelse/Fremmer"].description == "Når ledelsen fremmer"
    assert dict(book.walk())["Styring"].color == "#4e79a7"  # its row came after its child


def test_taguette_codebook_csv_with_a_tag_column(tmp_path: Path) -> None:
    from kodebok.codebook import read_codebook

    path = tmp_path / "codebook.csv"
    path.write_text(
        "tag,description,number of highlights\n"
        "Ledelse,Om ledelse,4\n"
        "Ledelse/Fremmer,Når ledelsen fremmer,2\n",
        encoding="utf-8",
    )
    book = read_codebook(path)
    assert [p for p, _ in book.walk()] == ["Ledelse", "Ledelse/Fremmer"]


def test_a_qde_named_after_the_project_and_a_document_source(
    project: Project, tmp_path: Path
) -> None:
    """ATLAS.ti names the .qde after the project; REFI-QDA 1.5 adds DocumentSource, read
    like a PDF through its plain-text Representation."""
    qde = FOREIGN.replace("<PDFSource ", "<DocumentSource ").replace(
        "</PDFSource>", "</DocumentSource>"
    )
    qde = qde.replace(
        '<PDFSelection guid="AAAAAAAA-0000-4000-8000-000000000032" page="1" firstX="1" '
        'firstY="1"\n       secondX="9" secondY="9"/>',
        "",
    )
    path = tmp_path / "Project.qdpx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("Trial.qde", qde)
        zf.writestr("Sources/AAAAAAAA-0000-4000-8000-000000000020.txt", INTERVIEW.encode())
    report = import_qdpx(project, path, coder="meg")
    assert sorted(report.documents) == ["intervju", "paper"]
    assert report.warnings == []
    assert report.codings == 2


def test_a_qdc_code_keeps_its_guid_into_the_qdpx(project: Project, tmp_path: Path) -> None:
    from kodebok.services.codes import import_codebook

    path = tmp_path / "nvivo.qdc"
    path.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="NVivo"><Codes>'
        '<Code guid="5067d381-1dc9-4816-81dd-ae1dbfea2ad7" name="Oltás" isCodable="true">'
        '<Code guid="7142c1bf-1bbe-4073-88dd-ae1dbfec9f8f" name="COVID" isCodable="true"/>'
        '</Code><Code guid="x" name="Ugyldig" isCodable="true"/></Codes></CodeBook>',
        encoding="utf-8",
    )
    import_codebook(project, path, coder="meg")
    out = _qde(export_qdpx(project))
    guids = dict(
        zip(
            out.xpath("//q:Code/@name", namespaces=NS),
            out.xpath("//q:Code/@guid", namespaces=NS),
            strict=True,
        )
    )
    assert guids["Oltás"] == "5067d381-1dc9-4816-81dd-ae1dbfea2ad7"
    assert guids["COVID"] == "7142c1bf-1bbe-4073-88dd-ae1dbfec9f8f"
    assert guids["Ugyldig"] != "x"  # not a GUID the schema allows: a stable one instead
    assert validate_qdpx(export_qdpx(project), XSD) == []


def test_cli_imports_a_taguette_codebook(tmp_path: Path, project_path: Path) -> None:
    from click.testing import CliRunner

    from kodebok.cli import main

    qdc = tmp_path / "taguette.qdc"
    qdc.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="Taguette 1.5.2"><Codes>'
        '<Code guid="1" name="Ledelse/Fremmer" isCodable="true"/>'
        '<Code guid="2" name="Ledelse/Hemmer" isCodable="true"/></Codes></CodeBook>',
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        main, ["-p", str(project_path), "codebook", "import", str(qdc)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    p = Project.open(project_path)
    paths = {
        r[0]
        for r in p.conn.execute(
            "SELECT COALESCE(p.name || '/', '') || c.name FROM codes c "
            "LEFT JOIN codes p ON p.id = c.parent_id"
        )
    }
    p.close()
    assert paths == {"Ledelse", "Ledelse/Fremmer", "Ledelse/Hemmer"}


TAGUETTE = DATA / "real" / "taguette_codebook"


def _prefixes(paths: list[str]) -> set[str]:
    return {"/".join(p.split("/")[: i + 1]) for p in paths for i in range(p.count("/") + 1)}


def test_a_real_taguette_codebook_imports_as_a_hierarchy(project: Project) -> None:
    from kodebok.services.codes import import_codebook

    qdc = TAGUETTE.with_suffix(".qdc")
    names = etree.parse(str(qdc)).xpath(
        "//c:Code/@name", namespaces={"c": "urn:QDA-XML:codebook:1.0"}
    )
    import_codebook(project, qdc, coder="meg")
    from kodebok.store import queries as q

    assert {c.path for c in q.codes(project)} == _prefixes(names)
    # each named code keeps Taguette's GUID; the parents Taguette never wrote get kodebok's
    out = _qde(export_qdpx(project))
    kept = {g.upper() for g in out.xpath("//q:Code/@guid", namespaces=NS)}
    assert set(etree.parse(str(qdc)).xpath("//@guid")) <= kept


def test_a_real_taguette_codebook_csv_imports_without_renaming_columns(
    project: Project,
) -> None:
    import csv

    from kodebok.services.codes import import_codebook
    from kodebok.store import queries as q

    path = TAGUETTE.with_suffix(".csv")
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    import_codebook(project, path, coder="meg")
    codes = {c.path: c for c in q.codes(project)}
    assert set(codes) == _prefixes([r["tag"] for r in rows])
    for r in rows:
        assert codes[r["tag"]].description == r["description"]


QC = DATA / "real" / "qc_export.qdpx"


def test_a_real_qc_export_imports_with_every_count(project: Project, tmp_path: Path) -> None:
    root = _qde(QC.read_bytes())
    report = import_qdpx(project, QC, coder="meg")
    assert report.warnings == []
    assert report.codings == len(root.xpath("//q:Coding", namespaces=NS))
    assert _count(project, "SELECT COUNT(*) FROM codes") == len(
        root.xpath("//q:Code", namespaces=NS)
    )
    by_user = {
        r[0]: r[1] for r in project.conn.execute("SELECT coder, COUNT(*) FROM codings GROUP BY 1")
    }
    names = {u.get("guid"): u.get("name") for u in root.xpath("//q:User", namespaces=NS)}
    expected: dict[str, int] = {}
    for c in root.xpath("//q:Coding", namespaces=NS):
        expected[names[c.get("creatingUser")]] = expected.get(names[c.get("creatingUser")], 0) + 1
    assert by_user == expected
    # qc codes whole lines: each coded text is the line the selection names
    with zipfile.ZipFile(QC) as zf:
        path = root.xpath("//q:TextSource/@plainTextPath", namespaces=NS)[0]
        lines = zf.read("sources/" + path.split("internal://")[1]).decode("utf-8").split("\n")
    for sel in root.xpath("//q:PlainTextSelection", namespaces=NS):
        line = lines[int(sel.get("name").split(":")[1])]
        start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
        row = project.conn.execute(
            "SELECT d.text FROM codings c JOIN documents d ON d.id = c.document_id "
            'WHERE c.start = ? AND c."end" = ?',
            (start, end),
        ).fetchone()
        assert row[0][start:end].strip() == line.strip()
    assert _all_guids(root) <= _all_guids(_qde(export_qdpx(project)))
