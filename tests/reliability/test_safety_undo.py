"""Safety: undo of whole imports and merges, codebook --replace asks first, same-text sources.

Every test starts from a copy of the demo project and checks, besides the exit code and the
message, that the project passes its integrity check and that its codings are unchanged or
changed exactly as intended.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from kodebok.exchange.refi_model import RefiCoding, RefiSelection, RefiSource, stable_guid
from kodebok.ingest.model import ParsedDocument
from kodebok.services import codes, coding
from kodebok.services.documents import ImportOptions, ensure_case, set_attribute, store_parsed
from kodebok.services.refi import export_qdpx, project_to_refi
from kodebok.store import Project
from tests.conftest import codings_snapshot, integrity_ok

Cli = Callable[..., Result]

NEW_TEXT = (
    "I: Hvordan følger dere opp målene i Sjøbygd?\n"
    "A: Vi har en årlig gjennomgang i kommunestyret, og rapporterer hvert tertial.\n"
    "I: Hvem deltar?\n"
    "A: Rådmannen og økonomisjefen, og noen ganger politikerne selv.\n"
)


def content_checksum(path: Path) -> str:
    """A hash of every row of every table a user's data lives in.

    Left out: the journal (undo records itself there) and the full-text indexes' internal
    tables (SQLite may lay out an index differently after rows come and go; their content is
    checked with fts_ok instead).
    """
    conn = sqlite3.connect(str(path))
    try:
        digest = hashlib.sha256()
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                "AND name NOT LIKE 'segments_fts%' AND name NOT LIKE 'lemmas_fts%' "
                "AND name != 'journal' ORDER BY name"
            )
        ]
        for table in tables:
            digest.update(table.encode())
            for row in conn.execute(f"SELECT * FROM {table} ORDER BY 1"):
                digest.update(repr(tuple(row)).encode())
        return digest.hexdigest()
    finally:
        conn.close()


def fts_ok(path: Path) -> bool:
    """Both full-text indexes agree with the segments table."""
    conn = sqlite3.connect(str(path))
    try:
        for index in ("segments_fts", "lemmas_fts"):
            conn.execute(f"INSERT INTO {index}({index}, rank) VALUES ('integrity-check', 1)")
        return True
    except sqlite3.DatabaseError:
        return False
    finally:
        conn.close()


def counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(str(path))
    try:
        return {
            t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
            for t in (
                "documents",
                "segments",
                "speakers",
                "cases",
                "attributes",
                "codes",
                "codings",
                "memos",
                "presence_overrides",
            )
        }
    finally:
        conn.close()


def sound(path: Path) -> bool:
    return integrity_ok(path) and fts_ok(path)


def _new_document(project: Project, name: str = "sjobygd_radmann", text: str = NEW_TEXT) -> int:
    from kodebok.ingest import segment_transcript

    turns, interviewers = segment_transcript(text)
    store_parsed(
        project,
        ParsedDocument(
            name=name,
            source=f"{name}.txt",
            kind="intervju",
            text=text,
            turns=tuple(turns),
            interviewers=interviewers,
            language="nb",
        ),
        ImportOptions(coder="per"),
    )
    return int(
        project.conn.execute("SELECT id FROM documents WHERE name = ?", (name,)).fetchone()[0]
    )


def _foreign_qdpx(tmp_path: Path, demo_project: Path) -> Path:
    """A .qdpx from another team: one new interview (new case, attributes, new codes, codings,
    memos) and one interview the demo has too, with a new coding by 'per' and a new case
    attribute and case memo for a case the demo has."""
    conn = sqlite3.connect(str(demo_project))
    shared_name, shared_text = conn.execute(
        "SELECT name, text FROM documents ORDER BY id LIMIT 1"
    ).fetchone()
    conn.close()
    path = tmp_path / "annet-team.kodebok"
    with Project.create(path) as other:
        doc_id = _new_document(other)
        shared_id = _new_document(other, shared_name, shared_text)
        case_id = ensure_case(other, "Sjøbygd")
        other.conn.execute("UPDATE documents SET case_id = ? WHERE id = ?", (case_id, doc_id))
        set_attribute(other, "case", case_id, "fylke", "Nordland")
        set_attribute(other, "document", doc_id, "rolle", "rådmann")
        elvestad = ensure_case(other, "Elvestad")
        other.conn.execute("UPDATE documents SET case_id = ? WHERE id = ?", (elvestad, shared_id))
        other.conn.execute("UPDATE cases SET memo = 'Besøkt i mars' WHERE id = ?", (elvestad,))
        set_attribute(other, "case", elvestad, "besok", "mars")
        codes.create_code(other, "Oppfølging/Tertialrapport", coder="per")
        codes.create_code(other, "Helhetsperspektiv", coder="per")
        coding.code_segment(other, "sjobygd_radmann", 1, "Tertialrapport", coder="per", memo="fint")
        coding.code_segment(other, "sjobygd_radmann", 3, "Helhetsperspektiv", coder="per")
        coding.code_segment(other, shared_name, 2, "Tertialrapport", coder="per")
        coding.write_memo(other, "document", doc_id, "Godt intervju", coder="per")
        data = export_qdpx(other)
    target = tmp_path / "annet-team.qdpx"
    target.write_bytes(data)
    return target


# -- undo of a .qdpx import ------------------------------------------------------------------


def test_undo_of_a_qdpx_import_removes_everything_it_added_and_redo_brings_it_back(
    demo_project: Path, tmp_path: Path, cli: Cli
) -> None:
    qdpx = _foreign_qdpx(tmp_path, demo_project)
    before, before_codings, before_counts = (
        content_checksum(demo_project),
        codings_snapshot(demo_project),
        counts(demo_project),
    )
    result = cli("import", str(qdpx), "--coder", "kari", project=demo_project)
    assert result.exit_code == 0, result.output
    after = content_checksum(demo_project)
    after_counts = counts(demo_project)
    grown = {k for k in after_counts if after_counts[k] > before_counts[k]}
    assert {"documents", "segments", "speakers", "cases", "attributes", "codes", "codings"} <= grown
    assert sound(demo_project)

    result = cli("undo", "--coder", "kari", project=demo_project)
    assert result.exit_code == 0, result.output
    assert "Angret: Importer annet-team.qdpx" in result.output
    assert content_checksum(demo_project) == before  # case memo and Elvestad's attribute too
    assert codings_snapshot(demo_project) == before_codings
    assert sound(demo_project)

    result = cli("redo", "--coder", "kari", project=demo_project)
    assert result.exit_code == 0, result.output
    assert content_checksum(demo_project) == after
    assert sound(demo_project)


def test_undo_of_a_whole_project_imported_from_qdpx_leaves_the_project_empty(
    demo_project: Path, tmp_path: Path, cli: Cli, project_path: Path
) -> None:
    qdpx = tmp_path / "demo.qdpx"
    assert cli("export", "qdpx", str(qdpx), project=demo_project).exit_code == 0
    empty = content_checksum(project_path)
    result = cli("import", str(qdpx), "--coder", "kari")
    assert result.exit_code == 0, result.output
    assert counts(project_path)["codings"] == counts(demo_project)["codings"]
    assert cli("undo", "--coder", "kari").exit_code == 0
    assert content_checksum(project_path) == empty
    assert set(counts(project_path).values()) == {0}
    assert sound(project_path)
    assert codings_snapshot(demo_project)  # the demo itself is untouched and still coded


def test_undo_of_a_qdpx_import_refuses_when_a_later_coding_depends_on_it(
    demo_project: Path, tmp_path: Path, cli: Cli
) -> None:
    qdpx = _foreign_qdpx(tmp_path, demo_project)
    assert cli("import", str(qdpx), "--coder", "kari", project=demo_project).exit_code == 0
    # ola codes the imported interview; then kari wants her import undone
    result = cli(
        "code", "sjobygd_radmann", "3", "Tertialrapport", "--coder", "ola", project=demo_project
    )
    assert result.exit_code == 0, result.output
    state, snapshot = content_checksum(demo_project), codings_snapshot(demo_project)
    result = cli("undo", "--coder", "kari", project=demo_project)
    assert result.exit_code == 2
    assert "cannot undo 'Import annet-team.qdpx'" in result.output
    assert "a coding by ola" in result.output
    assert "sjobygd_radmann" in result.output
    assert "nothing was changed" in result.output
    assert "kodebok restore" in result.output
    assert "before-import-annet-team" in result.output
    assert content_checksum(demo_project) == state
    assert codings_snapshot(demo_project) == snapshot
    assert sound(demo_project)
    # once ola has undone his coding, kari's undo goes through
    assert cli("undo", "--coder", "ola", project=demo_project).exit_code == 0
    assert cli("undo", "--coder", "kari", project=demo_project).exit_code == 0
    assert counts(demo_project)["documents"] == 17


# -- undo of a merge ------------------------------------------------------------------------


def _other_copy(demo_project: Path, tmp_path: Path) -> Path:
    """Another coder's copy of the demo: a new interview in a new case, codings by 'per' on
    it and on a shared interview, a new code, a memo and a presence override."""
    other = tmp_path / "per.kodebok"
    src, dst = sqlite3.connect(str(demo_project)), sqlite3.connect(str(other))
    src.backup(dst)
    src.close()
    dst.close()
    with Project.open(other) as p:
        doc_id = _new_document(p)
        case_id = ensure_case(p, "Sjøbygd")
        p.conn.execute("UPDATE documents SET case_id = ? WHERE id = ?", (case_id, doc_id))
        set_attribute(p, "case", case_id, "fylke", "Nordland")
        codes.create_code(p, "Oppfølging/Tertialrapport", coder="per")
        coding.code_segment(p, "sjobygd_radmann", 1, "Tertialrapport", coder="per")
        shared = p.conn.execute("SELECT name FROM documents ORDER BY id LIMIT 1").fetchone()[0]
        coding.code_segment(p, shared, 2, "Helhetsperspektiv", coder="per")
        coding.write_memo(p, "document", doc_id, "Ny kommune", coder="per")
        code_id = p.conn.execute("SELECT id FROM codes WHERE name = 'Tertialrapport'").fetchone()
        p.conn.execute(
            "INSERT INTO presence_overrides(case_id, code_id, value, note, author, at) "
            "VALUES (?, ?, 1, 'sett i dokumentene', 'per', '2026-01-01T00:00:00+00:00')",
            (case_id, code_id[0]),
        )
    return other


def _merge(cli: Cli, demo_project: Path, other: Path) -> None:
    result = cli("merge", str(other), "--coder", "kari", project=demo_project)
    assert result.exit_code == 0, result.output


def test_undo_of_a_merge_removes_documents_segments_cases_and_attributes_too(
    demo_project: Path, tmp_path: Path, cli: Cli
) -> None:
    other = _other_copy(demo_project, tmp_path)
    before, before_codings = content_checksum(demo_project), codings_snapshot(demo_project)
    _merge(cli, demo_project, other)
    merged = counts(demo_project)
    assert merged["documents"] == 18
    assert merged["cases"] == 5
    assert merged["presence_overrides"]
    result = cli("undo", "--coder", "kari", project=demo_project)
    assert result.exit_code == 0, result.output
    assert "Angret: Slå sammen med per.kodebok" in result.output
    assert content_checksum(demo_project) == before
    assert codings_snapshot(demo_project) == before_codings
    assert sound(demo_project)
    # today's bug: the document and its segments stayed behind
    conn = sqlite3.connect(str(demo_project))
    assert not conn.execute("SELECT 1 FROM documents WHERE name = 'sjobygd_radmann'").fetchone()
    assert not conn.execute("SELECT 1 FROM cases WHERE name = 'Sjøbygd'").fetchone()
    conn.close()


def test_merge_undo_redo_gives_the_merged_project_again(
    demo_project: Path, tmp_path: Path, cli: Cli
) -> None:
    other = _other_copy(demo_project, tmp_path)
    _merge(cli, demo_project, other)
    merged, merged_codings = content_checksum(demo_project), codings_snapshot(demo_project)
    assert cli("undo", "--coder", "kari", project=demo_project).exit_code == 0
    result = cli("redo", "--coder", "kari", project=demo_project)
    assert result.exit_code == 0, result.output
    assert "Gjort om igjen: Slå sammen med per.kodebok" in result.output
    assert content_checksum(demo_project) == merged
    assert codings_snapshot(demo_project) == merged_codings
    assert sound(demo_project)
    # and merging again adds nothing: the redone merge is the merge
    result = cli("merge", str(other), "--coder", "kari", project=demo_project)
    assert "Codings: 0 added" in result.output
    assert content_checksum(demo_project) == merged


def test_merge_then_code_then_undo_twice_undoes_both(
    demo_project: Path, tmp_path: Path, cli: Cli
) -> None:
    other = _other_copy(demo_project, tmp_path)
    before, before_codings = content_checksum(demo_project), codings_snapshot(demo_project)
    _merge(cli, demo_project, other)
    result = cli(
        "code", "sjobygd_radmann", "3", "Tertialrapport", "--coder", "kari", project=demo_project
    )
    assert result.exit_code == 0, result.output
    first = cli("undo", "--coder", "kari", project=demo_project)
    assert "Angret: Kode sjobygd_radmann #3" in first.output
    second = cli("undo", "--coder", "kari", project=demo_project)
    assert "Angret: Slå sammen med per.kodebok" in second.output
    assert content_checksum(demo_project) == before
    assert codings_snapshot(demo_project) == before_codings
    assert sound(demo_project)
    # both come back in order
    assert cli("redo", "--coder", "kari", project=demo_project).exit_code == 0
    assert cli("redo", "--coder", "kari", project=demo_project).exit_code == 0
    assert ("sjobygd_radmann", "kari") in {(r[0], r[4]) for r in codings_snapshot(demo_project)}


def test_undo_of_a_merge_refuses_after_another_coder_coded_a_merged_document(
    demo_project: Path, tmp_path: Path, cli: Cli
) -> None:
    other = _other_copy(demo_project, tmp_path)
    _merge(cli, demo_project, other)
    assert (
        cli(
            "code",
            "sjobygd_radmann",
            "1",
            "Helhetsperspektiv",
            "--coder",
            "ola",
            project=demo_project,
        ).exit_code
        == 0
    )
    state, snapshot = content_checksum(demo_project), codings_snapshot(demo_project)
    result = cli("undo", "--coder", "kari", project=demo_project)
    assert result.exit_code == 2
    assert "cannot undo 'Merge with per.kodebok'" in result.output
    assert "a coding by ola with 'Helhetsperspektiv' in 'sjobygd_radmann'" in result.output
    assert "before-merge" in result.output
    assert "kodebok restore" in result.output
    assert content_checksum(demo_project) == state  # no half-undo
    assert codings_snapshot(demo_project) == snapshot
    assert sound(demo_project)


@pytest.mark.parametrize("later", ["memo", "attribute"])
def test_undo_of_a_merge_refuses_when_a_memo_or_attribute_names_a_merged_document(
    demo_project: Path, tmp_path: Path, cli: Cli, later: str
) -> None:
    """Memos and attributes name a document by id without a foreign key: no cascade would
    show them, and deleting the document would leave them pointing at nothing."""
    other = _other_copy(demo_project, tmp_path)
    _merge(cli, demo_project, other)
    with Project.open(demo_project) as p:
        doc_id = p.conn.execute(
            "SELECT id FROM documents WHERE name = 'sjobygd_radmann'"
        ).fetchone()[0]
        if later == "memo":
            coding.write_memo(p, "document", doc_id, "Olas notat", coder="ola")
        else:
            set_attribute(p, "document", doc_id, "intervjuer", "ola")
    state = content_checksum(demo_project)
    result = cli("undo", "--coder", "kari", project=demo_project)
    assert result.exit_code == 2
    expected = "a memo by ola" if later == "memo" else "attribute 'intervjuer'"
    assert f"{expected}" in result.output
    assert "depends on document 'sjobygd_radmann'" in result.output
    assert content_checksum(demo_project) == state
    assert sound(demo_project)


def test_undo_of_a_merge_refuses_when_a_merged_code_was_renamed_since(
    demo_project: Path, tmp_path: Path, cli: Cli
) -> None:
    other = _other_copy(demo_project, tmp_path)
    _merge(cli, demo_project, other)
    result = cli(
        "codebook", "rename", "Tertialrapport", "Tertial", "--coder", "ola", project=demo_project
    )
    assert result.exit_code == 0, result.output
    state = content_checksum(demo_project)
    result = cli("undo", "--coder", "kari", project=demo_project)
    assert result.exit_code == 2
    assert "code 'Tertial'" in result.output
    assert "changed since (name)" in result.output
    assert content_checksum(demo_project) == state
    assert sound(demo_project)


# -- undo of plain imports and of edits -----------------------------------------------------


def test_undo_of_a_plain_import_removes_the_document_and_redo_restores_it(
    demo_project: Path, tmp_path: Path, cli: Cli
) -> None:
    transcript = tmp_path / "sjobygd_radmann.txt"
    transcript.write_text(NEW_TEXT, encoding="utf-8")
    before, before_codings = content_checksum(demo_project), codings_snapshot(demo_project)
    result = cli(
        "import",
        str(transcript),
        "--case",
        "Sjøbygd",
        "--attr",
        "rolle=rådmann",
        "--coder",
        "kari",
        project=demo_project,
    )
    assert result.exit_code == 0, result.output
    imported = counts(demo_project)
    assert imported["documents"] == 18
    assert imported["cases"] == 5
    result = cli("undo", "--coder", "kari", project=demo_project)
    assert result.exit_code == 0, result.output
    assert "Angret: Importer sjobygd_radmann" in result.output
    assert content_checksum(demo_project) == before  # the new case and attribute went too
    assert codings_snapshot(demo_project) == before_codings
    assert sound(demo_project)
    assert cli("redo", "--coder", "kari", project=demo_project).exit_code == 0
    assert counts(demo_project) == imported
    assert sound(demo_project)


def test_undo_of_a_revised_import_brings_the_old_text_and_its_codings_back(
    demo_project: Path, tmp_path: Path, cli: Cli
) -> None:
    conn = sqlite3.connect(str(demo_project))
    name, text = conn.execute("SELECT name, text FROM documents ORDER BY id LIMIT 1").fetchone()
    conn.close()
    revised = tmp_path / f"{name}.txt"
    revised.write_text("I: Et nytt spørsmål først?\nA: Ja.\n" + text, encoding="utf-8")
    before, before_codings = content_checksum(demo_project), codings_snapshot(demo_project)
    result = cli("import", str(revised), "--update", "--coder", "kari", project=demo_project)
    assert result.exit_code == 0, result.output
    assert codings_snapshot(demo_project) != before_codings  # the codings moved
    result = cli("undo", "--coder", "kari", project=demo_project)
    assert result.exit_code == 0, result.output
    assert content_checksum(demo_project) == before
    assert codings_snapshot(demo_project) == before_codings
    assert sound(demo_project)


def test_undo_of_a_rename_keeps_the_codes_codings(demo_project: Path, cli: Cli) -> None:
    """Undo restored a changed row with INSERT OR REPLACE: the replace deleted the code first,
    and ON DELETE CASCADE took its codings with it (48 codings of Helhetsperspektiv)."""
    before, before_codings = content_checksum(demo_project), codings_snapshot(demo_project)
    result = cli(
        "codebook",
        "rename",
        "Helhetsperspektiv",
        "Helhet",
        "--coder",
        "kari",
        project=demo_project,
    )
    assert result.exit_code == 0, result.output
    assert cli("undo", "--coder", "kari", project=demo_project).exit_code == 0
    assert codings_snapshot(demo_project) == before_codings
    assert content_checksum(demo_project) == before
    assert sound(demo_project)


def test_undo_refuses_when_another_coder_changed_the_row_since(
    demo_project: Path, cli: Cli
) -> None:
    with Project.open(demo_project) as p:
        codes.create_code(p, "Testkode", coder="kari")
        result = coding.code_segment(p, "elvestad_ordforer", 2, "Testkode", coder="kari")
        coding.set_coding_memo(p, result.coding_id, "ola sier noe", coder="ola")
    state, snapshot = content_checksum(demo_project), codings_snapshot(demo_project)
    result = cli("undo", "--coder", "kari", project=demo_project)
    assert result.exit_code == 2
    assert "a coding by kari" in result.output
    assert "changed since (memo)" in result.output
    assert content_checksum(demo_project) == state
    assert codings_snapshot(demo_project) == snapshot
    assert sound(demo_project)


# -- codebook import --replace ---------------------------------------------------------------


@pytest.fixture
def small_codebook(tmp_path: Path) -> Path:
    path = tmp_path / "liten.yaml"
    path.write_text("codes:\n  - name: Helhetsperspektiv\n", encoding="utf-8")
    return path


def _lost(demo_project: Path) -> int:
    conn = sqlite3.connect(str(demo_project))
    try:
        return int(
            conn.execute(
                "SELECT COUNT(*) FROM codings k JOIN codes c ON c.id = k.code_id "
                "WHERE NOT (c.name = 'Helhetsperspektiv' AND c.parent_id IS NULL)"
            ).fetchone()[0]
        )
    finally:
        conn.close()


def test_codebook_replace_without_a_terminal_refuses_and_names_the_count(
    demo_project: Path, small_codebook: Path, cli: Cli
) -> None:
    lost = _lost(demo_project)
    assert lost > 600
    before, before_codings = content_checksum(demo_project), codings_snapshot(demo_project)
    result = cli("codebook", "import", str(small_codebook), "--replace", project=demo_project)
    assert result.exit_code == 2
    assert result.output.startswith("Error: liten.yaml: --replace:")
    assert f"{lost} codings would be deleted" in result.output
    assert "--yes" in result.output
    assert content_checksum(demo_project) == before
    assert codings_snapshot(demo_project) == before_codings
    assert sound(demo_project)


def test_codebook_replace_with_yes_deletes_them_and_undo_brings_them_back(
    demo_project: Path, small_codebook: Path, cli: Cli
) -> None:
    lost = _lost(demo_project)
    before, before_codings = content_checksum(demo_project), codings_snapshot(demo_project)
    result = cli(
        "codebook",
        "import",
        str(small_codebook),
        "--replace",
        "--yes",
        "--coder",
        "kari",
        project=demo_project,
    )
    assert result.exit_code == 0, result.output
    assert f"({lost} codings with them)" in result.output
    assert len(codings_snapshot(demo_project)) == len(before_codings) - lost
    assert sound(demo_project)
    assert cli("undo", "--coder", "kari", project=demo_project).exit_code == 0
    assert codings_snapshot(demo_project) == before_codings
    assert content_checksum(demo_project) == before


@pytest.mark.parametrize("answer", ["n", "y"])
def test_codebook_replace_on_a_terminal_asks_with_the_count(
    demo_project: Path,
    small_codebook: Path,
    cli: Cli,
    monkeypatch: pytest.MonkeyPatch,
    answer: str,
) -> None:
    import kodebok.cli.coding_cmds as coding_cmds

    monkeypatch.setattr(coding_cmds, "_interactive", lambda: True)
    lost = _lost(demo_project)
    before, before_codings = content_checksum(demo_project), codings_snapshot(demo_project)
    result = cli(
        "codebook",
        "import",
        str(small_codebook),
        "--replace",
        input=f"{answer}\n",
        project=demo_project,
    )
    assert f"{lost} codings would be deleted" in result.output
    assert "Replace the codebook? [y/N]" in result.output
    if answer == "n":
        assert result.exit_code == 1  # click's Abort
        assert content_checksum(demo_project) == before
        assert codings_snapshot(demo_project) == before_codings
    else:
        assert result.exit_code == 0, result.output
        assert len(codings_snapshot(demo_project)) == len(before_codings) - lost
    assert sound(demo_project)


def test_codebook_replace_that_loses_no_codings_does_not_ask(
    demo_project: Path, cli: Cli, tmp_path: Path
) -> None:
    full = tmp_path / "full.yaml"
    assert cli("codebook", "export", "-o", str(full), project=demo_project).exit_code == 0
    before_codings = codings_snapshot(demo_project)
    result = cli("codebook", "import", str(full), "--replace", project=demo_project)
    assert result.exit_code == 0, result.output
    assert "0 removed (0 codings with them)" in result.output
    assert "?" not in result.output
    assert codings_snapshot(demo_project) == before_codings
    assert sound(demo_project)


# -- REFI-QDA sources with the same text -------------------------------------------------------


def _twin_qdpx(tmp_path: Path) -> tuple[Path, str]:
    """A .qdpx with two sources of the same text (different GUIDs and names), each coded
    differently: 'kopi_a' segment 1 with Tertialrapport by per, 'kopi_b' segment 3 with
    Helhetsperspektiv by siv."""
    from kodebok.exchange.refi_write import write_qdpx

    path = tmp_path / "tvilling.kodebok"
    with Project.create(path) as p:
        _new_document(p, "kopi_a")
        codes.create_code(p, "Oppfølging/Tertialrapport", coder="per")
        codes.create_code(p, "Helhetsperspektiv", coder="per")
        coding.code_segment(p, "kopi_a", 1, "Tertialrapport", coder="per")
        refi, variable_guids = project_to_refi(p)
        seg3 = p.conn.execute('SELECT start, "end" FROM segments WHERE idx = 3').fetchone()
    first = refi.sources[0]
    code_guid = {c.name: c.guid for c in refi.codes}
    helhet = code_guid["Helhetsperspektiv"]
    siv = stable_guid("user", "siv")
    refi.users[siv] = "siv"
    twin = RefiSource(
        guid=stable_guid("source", "twin"),
        name="kopi_b",
        text=first.text,
        description=first.description,
        selections=[
            RefiSelection(
                guid=stable_guid("selection", "twin", "3"),
                start=seg3[0],
                end=seg3[1],
                user_guid=siv,
                created=None,
                codings=[RefiCoding(stable_guid("coding", "twin"), helhet, siv, None)],
            )
        ],
    )
    refi.sources.append(twin)
    target = tmp_path / "tvilling.qdpx"
    target.write_bytes(write_qdpx(refi, variable_guids))
    return target, first.text


def _codings_by_document(path: Path) -> dict[str, set[tuple[str, str]]]:
    conn = sqlite3.connect(str(path))
    try:
        out: dict[str, set[tuple[str, str]]] = {}
        for name, code, coder in conn.execute(
            "SELECT d.name, c.name, k.coder FROM codings k "
            "JOIN documents d ON d.id = k.document_id JOIN codes c ON c.id = k.code_id"
        ):
            out.setdefault(name, set()).add((code, coder))
        return out
    finally:
        conn.close()


def test_two_refi_sources_with_the_same_text_are_two_documents_with_their_own_codings(
    demo_project: Path, tmp_path: Path, cli: Cli
) -> None:
    qdpx, text = _twin_qdpx(tmp_path)
    before_codings = codings_snapshot(demo_project)
    result = cli("import", str(qdpx), "--coder", "kari", project=demo_project)
    assert result.exit_code == 0, result.output
    assert "2 documents (0 unchanged)" in result.output
    conn = sqlite3.connect(str(demo_project))
    twins = conn.execute(
        "SELECT name FROM documents WHERE text = ? ORDER BY name", (text,)
    ).fetchall()
    conn.close()
    assert [t[0] for t in twins] == ["kopi_a", "kopi_b"]
    by_doc = _codings_by_document(demo_project)
    assert by_doc["kopi_a"] == {("Tertialrapport", "per")}
    assert by_doc["kopi_b"] == {("Helhetsperspektiv", "siv")}
    # the demo's own codings are as they were; exactly the two new ones were added
    after = codings_snapshot(demo_project)
    assert [r for r in after if r[0] not in ("kopi_a", "kopi_b")] == before_codings
    assert len(after) == len(before_codings) + 2
    assert sound(demo_project)

    # importing the same archive again adds nothing
    state = content_checksum(demo_project)
    result = cli("import", str(qdpx), "--coder", "kari", project=demo_project)
    assert result.exit_code == 0, result.output
    assert "0 documents (2 unchanged)" in result.output
    assert "0 codings" in result.output
    assert content_checksum(demo_project) == state
    assert sound(demo_project)


def test_same_text_sources_with_the_same_name_get_a_free_name(
    demo_project: Path, tmp_path: Path, cli: Cli
) -> None:
    qdpx, _ = _twin_qdpx(tmp_path)
    from kodebok.exchange.refi_read import read_qdpx
    from kodebok.exchange.refi_write import write_qdpx

    refi = read_qdpx(qdpx.read_bytes(), qdpx.name)
    refi.sources[1].name = refi.sources[0].name
    same_name = tmp_path / "samme-navn.qdpx"
    same_name.write_bytes(write_qdpx(refi, {}))
    result = cli("import", str(same_name), "--coder", "kari", project=demo_project)
    assert result.exit_code == 0, result.output
    by_doc = _codings_by_document(demo_project)
    assert by_doc["kopi_a"] == {("Tertialrapport", "per")}
    assert by_doc["kopi_a (2)"] == {("Helhetsperspektiv", "siv")}
    assert sound(demo_project)
    state = content_checksum(demo_project)
    assert cli("import", str(same_name), "--coder", "kari", project=demo_project).exit_code == 0
    assert content_checksum(demo_project) == state


def test_merge_keeps_two_documents_with_the_same_text_apart(
    demo_project: Path, tmp_path: Path, cli: Cli
) -> None:
    """The same rule for merge: a copy holding two documents with one text gives two here."""
    from kodebok.ingest import segment_transcript

    other = _other_copy(demo_project, tmp_path)
    with Project.open(other) as p:
        name, text = p.conn.execute("SELECT name, text FROM documents ORDER BY id").fetchone()
        turns, interviewers = segment_transcript(text)
        store_parsed(
            p,
            ParsedDocument(
                name="tvilling",
                source="tvilling.txt",
                kind="intervju",
                text=text,
                turns=tuple(turns),
                interviewers=interviewers,
            ),
            same_text_ok=True,
        )
        codes.create_code(p, "Bare i tvillingen", coder="per")
        coding.code_segment(p, "tvilling", 1, "Bare i tvillingen", coder="per")
    before = codings_snapshot(demo_project)
    _merge(cli, demo_project, other)
    by_doc = _codings_by_document(demo_project)
    assert ("Bare i tvillingen", "per") in by_doc["tvilling"]
    assert ("Bare i tvillingen", "per") not in by_doc[name]
    # the shared interview gains only per's one coding from _other_copy, nothing from the twin
    gained = set(codings_snapshot(demo_project)) - set(before)
    assert {(r[0], r[4]) for r in gained if r[0] == name} == {(name, "per")}
    assert len([r for r in gained if r[0] == name]) == 1
    assert sound(demo_project)
    state = content_checksum(demo_project)
    result = cli("merge", str(other), "--coder", "kari", project=demo_project)
    assert "Documents: 0 added" in result.output
    assert "Codings: 0 added" in result.output
    assert content_checksum(demo_project) == state


def test_case_assignment_after_an_import_is_undone_first_then_the_import(
    demo_project: Path, tmp_path: Path, cli: Cli
) -> None:
    """`cases assign` is journaled too (as the default coder), so a refusal that names it
    can be followed: undo it, then the import."""
    transcript = tmp_path / "sjobygd_radmann.txt"
    transcript.write_text(NEW_TEXT, encoding="utf-8")
    before, before_codings = content_checksum(demo_project), codings_snapshot(demo_project)
    assert cli("import", str(transcript), "--coder", "kari", project=demo_project).exit_code == 0
    result = cli("cases", "assign", "sjobygd_radmann", "Nordvik", project=demo_project)
    assert result.exit_code == 0, result.output
    state = content_checksum(demo_project)
    result = cli("undo", "--coder", "kari", project=demo_project)
    assert result.exit_code == 2
    assert "document 'sjobygd_radmann'" in result.output
    assert "changed since (case_id)" in result.output
    assert content_checksum(demo_project) == state
    result = cli("undo", "--coder", "tester", project=demo_project)
    assert "Angret: Knytt sjobygd_radmann til Nordvik" in result.output
    assert cli("undo", "--coder", "kari", project=demo_project).exit_code == 0
    assert content_checksum(demo_project) == before
    assert codings_snapshot(demo_project) == before_codings
    assert sound(demo_project)
