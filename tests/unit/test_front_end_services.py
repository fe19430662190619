"""Service functions that the CLI and the TUI use instead of SQL of their own."""

from __future__ import annotations

import sqlite3
from collections import Counter
from pathlib import Path

from kodebok.services import lookup
from kodebok.services.coding import create_code_and_code
from kodebok.services.project import open_project


def test_create_code_and_code_is_one_undoable_operation(demo_project: Path) -> None:
    with open_project(demo_project, daily_backup=False) as project:
        doc = lookup.documents(project)[0]
        seg = lookup.segment(project, doc.id, 1)
        before = project.conn.execute("SELECT COUNT(*) FROM codings").fetchone()[0]
        code = create_code_and_code(project, "Ny/Underkode", seg.id, coder="ny_koder")
        assert code.path == "Ny/Underkode"
        assert lookup.codings_by(project, "ny_koder") == 1
        entry = project.undo("ny_koder")
        assert entry is not None
        assert "Ny/Underkode" not in {c.path for c in lookup.codes(project)}
        assert "Ny" not in {c.path for c in lookup.codes(project)}
        assert project.conn.execute("SELECT COUNT(*) FROM codings").fetchone()[0] == before


def test_counts_for_the_front_ends_match_the_tables(demo_project: Path) -> None:
    conn = sqlite3.connect(str(demo_project))
    coders = Counter(r[0] for r in conn.execute("SELECT coder FROM codings"))
    per_case = Counter(
        r[0]
        for r in conn.execute("SELECT c.name FROM documents d JOIN cases c ON c.id = d.case_id")
    )
    per_speaker = Counter(r[0] for r in conn.execute("SELECT speaker_id FROM segments"))
    names = [r[0] for r in conn.execute("SELECT name FROM cases")]
    conn.close()
    with open_project(demo_project, daily_backup=False) as project:
        ranked = lookup.coders_by_codings(project)
        assert [coders[c] for c in ranked] == sorted(coders.values(), reverse=True)
        assert set(ranked) == set(coders)
        assert all(lookup.codings_by(project, c) == n for c, n in coders.items())
        assert lookup.documents_per_case(project) == {n: per_case.get(n, 0) for n in names}
        assert lookup.segments_per_speaker(project) == dict(per_speaker)


def test_segment_at_offset_finds_the_segment_holding_a_character(demo_project: Path) -> None:
    with open_project(demo_project, daily_backup=False) as project:
        doc = lookup.documents(project)[0]
        seg = lookup.segment(project, doc.id, 2)
        assert lookup.segment_at_offset(project, doc.id, seg.start) == seg.id
        assert lookup.segment_at_offset(project, doc.id, seg.end - 1) == seg.id
        assert lookup.segment_at_offset(project, doc.id, len(doc.text) + 10) is None
