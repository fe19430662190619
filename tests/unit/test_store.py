"""The project file: creation, WAL, refusal of foreign files, journal undo/redo, locking."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest

from kodebok.errors import KodebokError, ProjectCorrupt, ProjectLocked, ProjectNotFound
from kodebok.ingest.model import ParsedDocument, Turn
from kodebok.services import codes, coding
from kodebok.services.documents import ImportOptions, store_parsed
from kodebok.store import Project
from kodebok.store import queries as q
from kodebok.store.backup import backup_project, list_backups
from kodebok.store.schema import SCHEMA_VERSION

TEXT = "I: Hvordan gikk det?\nIP: Vi brukte styringskort og tertialrapport.\nIP: Og lederavtaler."


def _doc(name: str = "intervju1", text: str = TEXT) -> ParsedDocument:
    turns = []
    pos = 0
    for line in text.split("\n"):
        label, _, rest = line.partition(": ")
        start = pos + len(label) + 2
        turns.append(Turn(start, start + len(rest), label))
        pos += len(line) + 1
    return ParsedDocument(
        name, f"{name}.txt", "intervju", text, tuple(turns), {}, frozenset({"I"}), "nb"
    )


def test_new_project_is_wal_with_foreign_keys(project: Project) -> None:
    assert project.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert project.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert project.schema_version() == SCHEMA_VERSION


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ProjectNotFound, match="no such project file"):
        Project.open(tmp_path / "nei.db")


def test_a_text_file_is_not_a_project(tmp_path: Path) -> None:
    path = tmp_path / "notat.db"
    path.write_text("dette er ikke en database", encoding="utf-8")
    with pytest.raises(ProjectCorrupt, match="not an SQLite database"):
        Project.open(path)


def test_another_sqlite_database_is_not_a_project(tmp_path: Path) -> None:
    path = tmp_path / "annen.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    with pytest.raises(ProjectCorrupt, match="not a kodebok project"):
        Project.open(path)


def test_segments_store_offsets_into_the_document_text(project: Project) -> None:
    store_parsed(project, _doc())
    rows = project.conn.execute(
        'SELECT s.text, s.start, s."end", d.text FROM segments s JOIN documents d '
        "ON d.id = s.document_id ORDER BY idx"
    ).fetchall()
    for seg_text, start, end, doc_text in rows:
        assert doc_text[start:end] == seg_text


def test_undo_and_redo_follow_the_coder(project: Project) -> None:
    store_parsed(project, _doc())
    codes.create_code(project, "Styring", coder="kari")
    coding.code_segment(project, "intervju1", 1, "Styring", coder="kari")
    coding.code_segment(project, "intervju1", 2, "Styring", coder="ola")
    assert project.undo("kari") is not None
    left = {(c["coder"], c["segment_idx"]) for c in coding.export_codings(project)}
    assert left == {("ola", 2)}
    assert project.redo("kari") is not None
    assert len(coding.export_codings(project)) == 2


def test_a_new_change_drops_the_redo_stack(project: Project) -> None:
    store_parsed(project, _doc())
    codes.create_code(project, "Styring", coder="kari")
    coding.code_segment(project, "intervju1", 1, "Styring", coder="kari")
    project.undo("kari")
    coding.code_segment(project, "intervju1", 2, "Styring", coder="kari")
    assert project.redo("kari") is None


def test_deleting_a_code_is_undoable_with_its_codings(project: Project) -> None:
    store_parsed(project, _doc())
    codes.create_code(project, "Styring/Rapportering", coder="kari")
    coding.code_segment(project, "intervju1", 1, "Rapportering", coder="kari")
    coding.code_segment(project, "intervju1", 2, "Styring", coder="kari")
    assert codes.delete_code(project, "Styring", coder="kari") == 2
    assert project.conn.execute("SELECT COUNT(*) FROM codes").fetchone()[0] == 0
    project.undo("kari")
    assert project.conn.execute("SELECT COUNT(*) FROM codes").fetchone()[0] == 2
    assert len(coding.export_codings(project)) == 2


def test_undoing_a_change_to_a_parent_code_keeps_its_children_and_codings(
    project: Project,
) -> None:
    # undo used to restore the row with INSERT OR REPLACE, whose delete cascaded to the
    # child codes and their codings
    store_parsed(project, _doc())
    codes.create_code(project, "Styring/Mål", coder="kari")
    coding.code_segment(project, "intervju1", 1, "Mål", coder="kari")
    codes.rename_code(project, "Styring", "Ledelse", coder="kari")
    assert project.undo("kari") is not None
    assert {c.path for c in q.codes(project)} == {"Styring", "Styring/Mål"}
    assert [c["code"] for c in coding.export_codings(project)] == ["Styring/Mål"]
    assert project.redo("kari") is not None
    assert [c["code"] for c in coding.export_codings(project)] == ["Ledelse/Mål"]


def test_undo_never_overwrites_a_row_another_coder_made_since(project: Project) -> None:
    # kari's uncoded coding had the highest id; ola's new coding got the same id, and undo
    # used to put kari's row over it
    store_parsed(project, _doc())
    codes.create_code(project, "Styring", coder="kari")
    coding.code_segment(project, "intervju1", 1, "Styring", coder="kari")
    coding.uncode(project, "intervju1", 1, "Styring", coder="kari")
    coding.code_segment(project, "intervju1", 2, "Styring", coder="ola")
    with pytest.raises(KodebokError, match="added since"):
        project.undo("kari")
    assert [(c["coder"], c["segment_idx"]) for c in coding.export_codings(project)] == [("ola", 2)]


def test_undo_does_not_delete_a_code_another_coder_has_used(project: Project) -> None:
    store_parsed(project, _doc())
    codes.create_code(project, "Styring", coder="kari")
    coding.code_segment(project, "intervju1", 1, "Styring", coder="ola")
    with pytest.raises(KodebokError, match="depends on code 'Styring'"):
        project.undo("kari")
    assert len(coding.export_codings(project)) == 1
    assert project.undo("ola") is not None
    assert project.undo("kari") is not None
    assert q.codes(project) == []


def test_undo_does_not_bring_back_a_coding_into_a_revised_document(project: Project) -> None:
    # the uncoded coding came back at its old offsets, marked ok, over other text
    store_parsed(project, _doc())
    codes.create_code(project, "Styring", coder="kari")
    coding.code_segment(project, "intervju1", 1, "Styring", coder="kari")
    coding.uncode(project, "intervju1", 1, "Styring", coder="kari")
    store_parsed(
        project, _doc(text="I: Før vi begynner, velkommen.\n" + TEXT), ImportOptions(update=True)
    )
    with pytest.raises(KodebokError, match="revised since"):
        project.undo("kari")
    assert coding.export_codings(project) == []


def test_merge_moves_codings_and_children(project: Project) -> None:
    store_parsed(project, _doc())
    codes.create_code(project, "Rapport/Tertial", coder="k")
    codes.create_code(project, "Rapportering", coder="k")
    coding.code_segment(project, "intervju1", 1, "Rapport", coder="k")
    coding.code_segment(project, "intervju1", 1, "Rapportering", coder="k")
    coding.code_segment(project, "intervju1", 2, "Rapport", coder="k")
    codes.merge_codes(project, "Rapport", "Rapportering", coder="k")
    paths = sorted(c["code"] for c in coding.export_codings(project))
    assert paths == ["Rapportering", "Rapportering"]
    assert [c.code.path for c in codes.code_tree(project) if c.depth == 1] == [
        "Rapportering/Tertial"
    ]


def test_moving_a_code_under_its_child_is_refused(project: Project) -> None:
    codes.create_code(project, "A/B", coder="k")
    from kodebok.errors import KodebokError

    with pytest.raises(KodebokError, match="under itself"):
        codes.move_code(project, "A", "A/B", coder="k")


def test_a_locked_project_gives_a_clear_message(project_path: Path) -> None:
    holder = sqlite3.connect(str(project_path), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        project = Project.open(project_path, busy_timeout=0.2)
        with pytest.raises(ProjectLocked, match="locked by another program"):
            codes.create_code(project, "X", coder="k")
        project.close()
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_a_writer_waits_for_a_short_lock(project_path: Path) -> None:
    holder = sqlite3.connect(str(project_path), isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")

    def release() -> None:
        time.sleep(0.3)
        holder.execute("ROLLBACK")

    thread = threading.Thread(target=release)
    thread.start()
    project = Project.open(project_path, busy_timeout=5)
    codes.create_code(project, "X", coder="k")
    thread.join()
    holder.close()
    assert [c.code.path for c in codes.code_tree(project)] == ["X"]
    project.close()


def test_backup_is_a_complete_project(project: Project) -> None:
    store_parsed(project, _doc())
    target = backup_project(project, reason="test")
    assert target in list_backups(project.path)
    copy = Project.open(target)
    assert copy.conn.execute("SELECT COUNT(*) FROM segments").fetchone()[0] == 3
    copy.close()


def test_revised_document_keeps_its_codings(project: Project) -> None:
    store_parsed(project, _doc())
    codes.create_code(project, "Styring", coder="k")
    coding.code_segment(project, "intervju1", 1, "Styring", coder="k")
    coding.code_segment(project, "intervju1", 2, "Styring", coder="k")
    revised = _doc(
        text="I: Hvordan gikk det egentlig?\nIP: Vi brukte styringskort og "
        "tertialrapporter.\nIP: Ingen avtaler."
    )
    result = store_parsed(project, revised, ImportOptions(update=True))
    assert result.status == "updated"
    rows = {r["segment_idx"]: r for r in coding.export_codings(project)}
    assert rows[1]["text"] == "Vi brukte styringskort og tertialrapporter."
    # one word changed ("tertialrapport" -> "tertialrapporter"): kept, but flagged for review
    assert rows[1]["status"] == "review"
    assert [r["text"] for r in result.details["review"]] == [
        "Vi brukte styringskort og tertialrapport.",
        "Og lederavtaler.",
    ]
    # the rewritten answer is still the coded answer, with a changed text: review too
    assert (rows[2]["text"], rows[2]["status"]) == ("Ingen avtaler.", "review")


def test_an_old_project_is_migrated_after_a_backup(tmp_path: Path) -> None:
    from kodebok.store.project import _split_sql
    from kodebok.store.schema import MIGRATIONS

    path = tmp_path / "gammel.kodebok"
    conn = sqlite3.connect(str(path), isolation_level=None)
    for statement in _split_sql(MIGRATIONS[0]):
        conn.execute(statement)
    conn.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    conn.execute("INSERT INTO cases(name) VALUES ('Nordvik')")
    conn.close()
    project = Project.open(path)
    assert project.schema_version() == SCHEMA_VERSION
    assert project.conn.execute("SELECT name FROM cases").fetchone()[0] == "Nordvik"
    backups = list_backups(path)
    assert len(backups) == 1
    assert f"before-migration-1-to-{SCHEMA_VERSION}" in backups[0].name
    project.close()


def test_a_newer_project_is_refused(project_path: Path) -> None:
    conn = sqlite3.connect(str(project_path))
    conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    with pytest.raises(ProjectCorrupt, match="newer kodebok"):
        Project.open(project_path)


def test_segments_go_in_with_one_statement_in_order_and_indexed(project: Project) -> None:
    from kodebok.store.segments import insert_segments

    with project.transaction() as conn:
        doc = conn.execute(
            "INSERT INTO documents(name, kind, language, text, sha256, source, imported_at, "
            "metadata) VALUES ('d', 'intervju', 'nb', 'x', 's', 'd.txt', 't', '{}')"
        ).lastrowid
        rows = [
            (doc, i, i, i + 1, None, None, None, f"tekst {i} om styringskort", f"lemma{i}")
            for i in range(50)
        ]
        insert_segments(conn, rows)
    got = project.conn.execute("SELECT id, idx, text, lemmas FROM segments ORDER BY id").fetchall()
    assert [r[1] for r in got] == list(range(50))  # ids follow the rows' order
    assert got[7][2] == "tekst 7 om styringskort"
    assert got[7][3] == "lemma7"
    for index in ("segments_fts", "lemmas_fts"):
        project.conn.execute(f"INSERT INTO {index}({index}, rank) VALUES ('integrity-check', 1)")
    hits = project.conn.execute(
        "SELECT count(*) FROM segments_fts WHERE segments_fts MATCH 'styringskort'"
    ).fetchone()[0]
    assert hits == 50
    assert project.conn.execute("SELECT count(*) FROM temp.kodebok_new_segments").fetchone()[0] == 0
    # a bad row (same document and index twice) fails the whole statement: nothing is left
    with pytest.raises(sqlite3.IntegrityError), project.transaction() as conn:
        insert_segments(conn, [(doc, 99, 0, 1, None, None, None, "ny", None), *rows[:1]])
    assert project.conn.execute("SELECT count(*) FROM segments").fetchone()[0] == 50
    assert project.conn.execute("SELECT count(*) FROM temp.kodebok_new_segments").fetchone()[0] == 0
