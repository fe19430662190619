"""The documented SQL views (migration 4) against counts made here from the tables themselves."""

from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from pathlib import Path

import sqlite_utils
from click.testing import CliRunner

from kodebok.cli import main
from kodebok.store.schema import VIEWS


def _tables(
    conn: sqlite3.Connection,
) -> tuple[dict[int, str], dict[int, tuple[str, int | None, str]]]:
    """Code paths (walked up the parents here) and documents as (name, case id, text)."""
    codes = {r[0]: (r[1], r[2]) for r in conn.execute("SELECT id, parent_id, name FROM codes")}

    def path(code_id: int) -> str:
        parent, name = codes[code_id]
        return name if parent is None else f"{path(parent)}/{name}"

    docs = {
        r[0]: (r[1], r[2], r[3])
        for r in conn.execute("SELECT id, name, case_id, text FROM documents")
    }
    return {c: path(c) for c in codes}, docs


def test_coded_text_has_every_coding_with_its_context_and_text(demo_project: Path) -> None:
    conn = sqlite3.connect(str(demo_project))
    paths, docs = _tables(conn)
    cases = dict(conn.execute("SELECT id, name FROM cases"))
    speaker_of = dict(
        conn.execute(
            "SELECT s.id, sp.label FROM segments s LEFT JOIN speakers sp ON sp.id = s.speaker_id"
        )
    )
    expected = {}
    for cid, doc_id, seg_id, start, end, code_id, coder, origin, status in conn.execute(
        'SELECT id, document_id, segment_id, start, "end", code_id, coder, origin, status '
        "FROM codings"
    ):
        name, case_id, text = docs[doc_id]
        expected[cid] = (
            name,
            cases.get(case_id),
            speaker_of.get(seg_id),
            paths[code_id],
            coder,
            origin,
            status,
            text[start:end],
        )
    got = {
        r[0]: tuple(r[1:])
        for r in conn.execute(
            "SELECT coding_id, document, case_name, speaker, code, coder, origin, status, text "
            "FROM coded_text"
        )
    }
    assert len(expected) > 100  # the demo has codings by two coders
    assert got == expected
    # the Norwegian letters survive substr: the coded text is the text kodebok shows
    assert any(ch in "æøå" for row in got.values() for ch in row[7])
    conn.close()


def test_code_case_counts_match_a_count_of_the_codings(demo_project: Path) -> None:
    conn = sqlite3.connect(str(demo_project))
    paths, docs = _tables(conn)
    cases = dict(conn.execute("SELECT id, name FROM cases"))
    codings: Counter[tuple[str, str | None]] = Counter()
    segments: dict[tuple[str, str | None], set[int | None]] = defaultdict(set)
    documents: dict[tuple[str, str | None], set[int]] = defaultdict(set)
    for doc_id, seg_id, code_id, status in conn.execute(
        "SELECT document_id, segment_id, code_id, status FROM codings"
    ):
        if status == "orphaned":
            continue
        key = (paths[code_id], cases.get(docs[doc_id][1]))
        codings[key] += 1
        if seg_id is not None:
            segments[key].add(seg_id)
        documents[key].add(doc_id)
    expected = {k: (n, len(segments[k]), len(documents[k])) for k, n in codings.items()}
    got = {
        (r[0], r[1]): (r[2], r[3], r[4])
        for r in conn.execute(
            "SELECT code, case_name, codings, segments, documents FROM code_case_counts"
        )
    }
    assert len({case for _, case in expected}) > 3  # several kommuner
    assert got == expected
    conn.close()


def test_the_views_are_found_by_sqlite_utils_and_reported_by_doctor(demo_project: Path) -> None:
    db = sqlite_utils.Database(str(demo_project))
    assert set(VIEWS) <= set(db.view_names())
    assert db["coded_text"].count == db["codings"].count
    db.conn.close()
    runner = CliRunner()
    result = runner.invoke(main, ["-p", str(demo_project), "doctor", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert '"views": "code_paths, coded_text, code_case_counts"' in result.output


def test_doctor_names_a_dropped_view(demo_project: Path) -> None:
    conn = sqlite3.connect(str(demo_project))
    conn.execute("DROP VIEW code_case_counts")
    conn.commit()
    conn.close()
    result = CliRunner().invoke(main, ["-p", str(demo_project), "doctor"])
    assert result.exit_code == 1
    assert "the views code_case_counts are missing" in result.output
