"""``kodebok search``: JSON hits, text table, coding every hit, and undo."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from click.testing import CliRunner

from kodebok.cli import main
from tests.tui.conftest import build_project


def run(path: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["-p", str(path), *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_search_json_lists_hits_with_document_idx_segment_and_snippet(tmp_path: Path) -> None:
    path = build_project(tmp_path / "p.kodebok")
    code, out, _ = run(path, "search", "tillitsvalgte", "--format", "json")
    assert code == 0
    hits = json.loads(out)
    assert len(hits) == 1
    hit = hits[0]
    assert hit["document"] == "nordvik_radmann"
    assert hit["idx"] == 3
    conn = sqlite3.connect(str(path))
    (segment_id,) = conn.execute(
        "SELECT s.id FROM segments s JOIN documents d ON d.id = s.document_id "
        "WHERE d.name = 'nordvik_radmann' AND s.idx = 3"
    ).fetchone()
    conn.close()
    assert hit["segment"] == segment_id
    assert "Tillitsvalgte" in hit["snippet"]
    assert set(hit) >= {"document", "idx", "segment", "snippet"}


def test_search_text_output_and_no_hits(tmp_path: Path) -> None:
    path = build_project(tmp_path / "p.kodebok")
    code, out, err = run(path, "search", "lederavtaler")
    assert code == 0
    assert "nordvik_radmann" in out
    assert "1 hits" in err
    code, out, err = run(path, "search", "xyzzyq", "--format", "json")
    assert code == 0
    assert json.loads(out) == []


def test_search_code_codes_every_hit_and_one_undo_removes_them(tmp_path: Path) -> None:
    path = build_project(tmp_path / "p.kodebok")
    code, out, err = run(
        path,
        "search",
        "styringssystem*",
        "--code",
        "Styringssystem",
        "--coder",
        "kari",
        "--format",
        "json",
    )
    assert code == 0
    assert len(json.loads(out)) == 3
    assert "Coded 3 segments with Styringssystem" in err
    code, _, _ = run(path, "undo", "--coder", "kari")
    assert code == 0
    _, out, _ = run(path, "codings", "export", "--format", "json")
    assert [r for r in json.loads(out) if r["coder"] == "kari"] == []


def test_search_unknown_code_is_exit_2_with_a_hint(tmp_path: Path) -> None:
    path = build_project(tmp_path / "p.kodebok")
    code, _, err = run(path, "search", "styring*", "--code", "Styringsystem")
    assert code == 2
    assert "Styringssystem" in err


def test_fuzzy_flag(tmp_path: Path) -> None:
    path = build_project(tmp_path / "p.kodebok")
    code, out, _ = run(path, "search", "medverknad", "--fuzzy", "--format", "json")
    assert code == 0
    assert any(h["document"] == "fjellbygd_ordforar" for h in json.loads(out))


def test_tilde_is_fuzzy_and_finds_other_forms_of_the_word(tmp_path: Path) -> None:
    from kodebok.services.documents import store_parsed
    from kodebok.store import Project
    from tests.tui.conftest import parsed

    path = build_project(tmp_path / "p.kodebok")
    project = Project.open(path)
    try:
        store_parsed(
            project,
            parsed(
                "fjellbygd_leiarar",
                "Fjellbygd",
                [("I", "Og teknisk?"), ("IP", "Vi skal brøyte vegen til skulen, som før.")],
            ),
        )
    finally:
        project.close()
    for args in (["~brøyting"], ["brøyting", "--fuzzy"], ["brøyting"]):
        code, out, _ = run(path, "search", *args, "--format", "json")
        assert code == 0
        hits = json.loads(out)
        assert [(h["document"], h["idx"], h["match"]) for h in hits] == [
            ("fjellbygd_leiarar", 1, "brøyte")
        ]
