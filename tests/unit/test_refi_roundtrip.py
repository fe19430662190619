"""REFI-QDA without loss: the demo exported to .qdpx and imported into an empty project is the
same project, table by table; exporting again gives the same GUIDs; the file still validates."""

from __future__ import annotations

import io
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from kodebok.services.analysis.presence import set_presence
from kodebok.services.coding import write_memo
from kodebok.services.demo import build_demo
from kodebok.services.privacy import set_pseudonym
from kodebok.services.refi import export_qdpx, import_qdpx, validate_qdpx
from kodebok.store import Project

XSD = Path(__file__).resolve().parent.parent / "data" / "refi-qda" / "Project.xsd"
NS = {"q": "urn:QDA-XML:project:1.0"}


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo, with what it lacks added: memos on every kind of target, overrides, a person,
    an orphaned coding with a memo, a speaker without turns, pseudonyms."""
    folder = tmp_path_factory.mktemp("demo")
    path = build_demo(folder / "bygg").path
    p = Project.open(path)
    conn = p.conn
    doc = conn.execute("SELECT id FROM documents ORDER BY id LIMIT 1").fetchone()[0]
    seg = conn.execute("SELECT id FROM segments WHERE document_id = ? LIMIT 1", (doc,)).fetchone()
    coding = conn.execute("SELECT id FROM codings ORDER BY id LIMIT 1").fetchone()[0]
    code = conn.execute("SELECT id FROM codes ORDER BY id DESC LIMIT 1").fetchone()[0]
    case = conn.execute("SELECT id, name FROM cases ORDER BY id LIMIT 1").fetchone()
    code_path = conn.execute("SELECT name FROM codes WHERE parent_id IS NULL LIMIT 1").fetchone()
    write_memo(p, "document", doc, "Notat om dokumentet", coder="kari")
    write_memo(p, "segment", seg[0], "Notat om ytringen", coder="ola")
    write_memo(p, "code", code, "Koden trenger avgrensning", coder="kari")
    write_memo(p, "case", case[0], "Kommunen er liten", coder="kari")
    write_memo(p, "coding", coding, "Usikker koding", coder="ola")
    write_memo(p, "project", None, "Prosjektnotat", coder="kari")
    write_memo(p, "cell", None, "Cellenotat", coder="kari", case_id=case[0], code_id=code)
    set_presence(p, case[1], code_path[0], 1, note="Nevnt i fokusgruppen", coder="kari")
    set_pseudonym(p, case[1], "Kommune A", "case", coder="kari")
    with p.transaction():
        conn.execute("INSERT INTO persons(name) VALUES ('Per Olsen')")
        conn.execute(
            "INSERT INTO attributes(entity_kind, entity_id, name, value, type) "
            "VALUES ('person', 1, 'fødselsår', '1970', 'integer')"
        )
        conn.execute("UPDATE speakers SET person_id = 1 WHERE id = 2")
        conn.execute(
            "INSERT INTO speakers(document_id, label, interviewer) VALUES (?, 'Tolk', 0)", (doc,)
        )
        conn.execute(
            "UPDATE codings SET memo = 'Viktig sitat', status = 'orphaned', anchor_text = "
            "'borte nå', \"end\" = start WHERE id = (SELECT MAX(id) FROM codings)"
        )
        conn.execute("UPDATE codings SET origin = 'suggestion' WHERE id % 7 = 0")
        conn.execute("UPDATE codings SET origin = 'autocode' WHERE id % 11 = 0")
        conn.execute("UPDATE codes SET shortcut = 'q' WHERE id = ?", (code,))
    p.close()
    return path


@pytest.fixture
def demo(demo_file: Path, tmp_path: Path) -> Iterator[Project]:
    copy = tmp_path / "demo.kodebok"
    shutil.copy(demo_file, copy)
    p = Project.open(copy)
    yield p
    p.close()


def tables(p: Project, *, pseudonyms: bool = False) -> dict[str, list[tuple[Any, ...]]]:
    """Every table of the project with ids replaced by what they name, sorted."""
    c = p.conn
    paths: dict[int, str] = {}
    for r in c.execute("SELECT id, parent_id, name FROM codes ORDER BY id"):
        paths[r[0]] = f"{paths[r[1]]}/{r[2]}" if r[1] else r[2]
    doc = {r[0]: r[1] for r in c.execute("SELECT id, name FROM documents")}
    case = {r[0]: r[1] for r in c.execute("SELECT id, name FROM cases")}
    person = {r[0]: r[1] for r in c.execute("SELECT id, name FROM persons")}
    seg = {r[0]: (doc[r[1]], r[2]) for r in c.execute("SELECT id, document_id, idx FROM segments")}
    spk = {
        r[0]: (doc[r[1]], r[2]) for r in c.execute("SELECT id, document_id, label FROM speakers")
    }
    coding = {
        r[0]: (doc[r[1]], r[2], r[3], paths[r[4]], r[5])
        for r in c.execute('SELECT id, document_id, start, "end", code_id, coder FROM codings')
    }
    entity = {"case": case, "document": doc, "speaker": spk, "person": person}
    target = {"document": doc, "segment": seg, "code": paths, "case": case, "coding": coding}

    def rows(sql: str, f: Any) -> list[tuple[Any, ...]]:
        return sorted((f(r) for r in c.execute(sql)), key=repr)

    out = {
        "documents": rows(
            "SELECT * FROM documents",
            lambda r: (
                r["name"], r["kind"], r["language"], case.get(r["case_id"]), r["text"],
                r["sha256"], r["source"], r["imported_at"], r["metadata"],
            ),
        ),
        "segments": rows(
            "SELECT * FROM segments",
            lambda r: (
                doc[r["document_id"]], r["idx"], r["start"], r["end"],
                spk.get(r["speaker_id"]), r["t_start"], r["t_end"], r["text"],
            ),
        ),
        "speakers": rows(
            "SELECT * FROM speakers",
            lambda r: (
                doc[r["document_id"]], r["label"], r["interviewer"], person.get(r["person_id"])
            ),
        ),
        "persons": rows("SELECT name FROM persons", tuple),
        "attributes": rows(
            "SELECT * FROM attributes",
            lambda r: (
                r["entity_kind"], entity[r["entity_kind"]][r["entity_id"]], r["name"],
                r["value"], r["type"],
            ),
        ),
        "cases": rows("SELECT name, memo FROM cases", tuple),
        "codes": rows(
            "SELECT * FROM codes",
            lambda r: (
                paths[r["id"]], r["description"], r["keywords"], r["color"], r["shortcut"],
                r["position"], r["metadata"],
            ),
        ),
        "codings": rows(
            "SELECT * FROM codings",
            lambda r: (
                *coding[r["id"]], seg.get(r["segment_id"]), r["memo"], r["origin"],
                r["status"], r["anchor_text"], r["created_at"],
            ),
        ),
        "memos": rows(
            "SELECT * FROM memos",
            lambda r: (
                r["target_kind"], target.get(r["target_kind"], {}).get(r["target_id"]),
                case.get(r["case_id"]), paths.get(r["code_id"]), r["text"], r["author"],
                r["created_at"], r["updated_at"],
            ),
        ),
        "presence_overrides": rows(
            "SELECT * FROM presence_overrides",
            lambda r: (
                case[r["case_id"]], paths[r["code_id"]], r["value"], r["note"], r["author"],
                r["at"],
            ),
        ),
    }  # fmt: skip
    if pseudonyms:
        out["pseudonyms"] = rows("SELECT real, pseudonym, kind, created_at FROM pseudonyms", tuple)
    return out


def _guids(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        root = etree.fromstring(zf.read("project.qde"))
    return sorted(el.get("guid") for el in root.iter() if el.get("guid"))


def test_the_demo_round_trip_keeps_every_table(demo: Project, tmp_path: Path) -> None:
    before = tables(demo, pseudonyms=True)
    assert before["memos"]
    assert before["presence_overrides"]
    assert before["persons"]
    assert len(before["speakers"]) == 38
    assert len(before["codings"]) == 724
    data = export_qdpx(demo, with_pseudonyms=True)
    assert validate_qdpx(data, XSD) == []
    archive = tmp_path / "demo.qdpx"
    archive.write_bytes(data)
    other = Project.create(tmp_path / "tom.kodebok")
    report = import_qdpx(other, archive, coder="importer")
    assert report.warnings == []
    after = tables(other, pseudonyms=True)
    for name in before:
        lost = [r for r in before[name] if r not in after[name]][:3]
        added = [r for r in after[name] if r not in before[name]][:3]
        short = [tuple(str(v)[:80] for v in r) for r in lost + added]
        assert (lost, added) == ([], []), f"{name}: {short}"
    again = export_qdpx(other, with_pseudonyms=True)
    assert _guids(again) == _guids(data)
    other.close()


def test_the_pseudonym_map_travels_only_when_asked(demo: Project, tmp_path: Path) -> None:
    archive = tmp_path / "uten.qdpx"
    archive.write_bytes(export_qdpx(demo))
    other = Project.create(tmp_path / "tom.kodebok")
    import_qdpx(other, archive, coder="importer")
    assert other.conn.execute("SELECT COUNT(*) FROM pseudonyms").fetchone()[0] == 0
    with zipfile.ZipFile(archive) as zf:
        assert "Kommune A" not in zf.read("kodebok/kodebok.json").decode("utf-8")
    other.close()


def test_exporting_twice_gives_the_same_guids(demo: Project) -> None:
    assert _guids(export_qdpx(demo)) == _guids(export_qdpx(demo))


def test_descriptions_are_readable_text_and_groupings_are_sets(demo: Project) -> None:
    with zipfile.ZipFile(io.BytesIO(export_qdpx(demo))) as zf:
        root = etree.fromstring(zf.read("project.qde"))
    descriptions = root.xpath("//q:TextSource/q:Description/text()", namespaces=NS)
    assert descriptions
    assert not any(d.lstrip().startswith("{") for d in descriptions)
    # speakers are Cases of their turns, with their attributes as Variables
    speaker = root.xpath("//q:Case[q:SelectionRef]", namespaces=NS)
    assert len(speaker) >= 35
    roles = root.xpath(
        "//q:Case[q:SelectionRef]/q:VariableValue[q:VariableRef/@targetGUID = "
        "//q:Variable[@name='role']/@guid]/q:TextValue/text()",
        namespaces=NS,
    )
    assert "rektor" in roles
    selections = set(root.xpath("//q:PlainTextSelection/@guid", namespaces=NS))
    assert set(root.xpath("//q:SelectionRef/@targetGUID", namespaces=NS)) <= selections
    sets = root.xpath("//q:Sets/q:Set/@name", namespaces=NS)
    assert any(s.startswith("case: ") for s in sets)
    assert any(s.startswith("kind: ") for s in sets)


def test_a_code_has_the_same_guid_in_qdc_and_qdpx(demo: Project) -> None:
    from kodebok.codebook import format_codebook
    from kodebok.services.codes import project_codebook

    qdc = format_codebook(project_codebook(demo), "qdc").encode("utf-8")
    in_qdc = {
        el.get("name"): el.get("guid")
        for el in etree.fromstring(qdc).iter("{urn:QDA-XML:codebook:1.0}Code")
    }
    with zipfile.ZipFile(io.BytesIO(export_qdpx(demo))) as zf:
        root = etree.fromstring(zf.read("project.qde"))
    in_qdpx = {el.get("name"): el.get("guid") for el in root.iter(f"{{{NS['q']}}}Code")}
    assert in_qdc == in_qdpx
