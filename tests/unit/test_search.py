"""Full-text search over segments: words, prefixes, phrases, lemmas, fuzzy fallback, code all hits."""

from __future__ import annotations

from pathlib import Path

import pytest

from kodebok.services.search import code_all_hits, fts_query, search
from kodebok.store import Project
from kodebok.store.schema import SCHEMA_VERSION
from tests.tui.conftest import CODER, build_project


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project.open(build_project(tmp_path / "sok.kodebok"))


def test_every_word_must_occur_and_hits_come_in_document_order(project: Project) -> None:
    hits = search(project, "styringssystem kommuneplan")
    assert [(h.document, h.idx) for h in hits] == [("nordvik_radmann", 1)]
    assert hits[0].match.casefold() == "styringssystem"
    assert hits[0].speaker == "IP"


def test_prefix_search_with_star_highlights_the_whole_word(project: Project) -> None:
    hits = search(project, "styringssystem*")
    assert [(h.document, h.idx) for h in hits] == [
        ("fjellbygd_ordforar", 3),
        ("nordvik_radmann", 0),
        ("nordvik_radmann", 1),
    ]
    assert hits[0].match == "styringssystemet"


def test_phrases_in_quotes_and_punctuation_never_break_the_query(project: Project) -> None:
    assert [h.idx for h in search(project, '"enkelt styringssystem"')] == [1]
    assert isinstance(search(project, 'AND OR "( NEAR *'), list)  # no FTS5 syntax error
    assert fts_query('ord* "to ord" a"b') == '"ord"* "to ord" "a""b"'


def test_lemmas_are_searched_too(project: Project) -> None:
    project.conn.execute(
        "UPDATE segments SET lemmas = 'rådmann eie' WHERE idx = 3 AND document_id = 1"
    )
    assert [h.idx for h in search(project, "eie", document="nordvik_radmann")] == [3]


def test_fuzzy_search_finds_spelling_and_dialect_variants(project: Project) -> None:
    assert search(project, "medvirkning")[0].document == "nordvik_radmann"
    fuzzy = search(project, "medverknad", fuzzy=True)
    assert ("fjellbygd_ordforar", 1) in [(h.document, h.idx) for h in fuzzy]


def test_fuzzy_is_the_fallback_when_nothing_matches_exactly(project: Project) -> None:
    hits = search(project, "partssamarbeid")  # the text says "partssamarbeidet"
    assert [(h.document, h.idx) for h in hits] == [("fjellbygd_ordforar", 1)]


def test_snippet_is_keyword_in_context(project: Project) -> None:
    hit = search(project, "lederavtaler")[0]
    assert hit.left.endswith("handlingsplan og ")
    assert hit.match == "lederavtaler"
    assert hit.right.startswith(". Det henger")
    assert hit.snippet == hit.left + hit.match + hit.right


def test_code_all_hits_is_one_journal_entry(project: Project) -> None:
    hits, result = code_all_hits(project, "styringssystem*", "Helhetsperspektiv", coder=CODER)
    assert len(hits) == 3
    assert result.added == 3
    assert result.existing == 0
    assert (
        project.conn.execute("SELECT COUNT(*) FROM codings WHERE coder = ?", (CODER,)).fetchone()[0]
        == 3
    )
    _, again = code_all_hits(project, "styringssystem*", "Helhetsperspektiv", coder=CODER)
    assert again.added == 0
    assert again.existing == 3
    project.undo(CODER)  # the second run changed nothing, so it left no journal entry
    assert (
        project.conn.execute("SELECT COUNT(*) FROM codings WHERE coder = ?", (CODER,)).fetchone()[0]
        == 0
    )


def test_a_word_is_found_among_the_lemmas_and_hyphenated_words_still_search(
    tmp_path: Path,
) -> None:
    from kodebok.services.importing import import_paths

    path = tmp_path / "intervju.txt"
    path.write_text(
        "I: Hva måler dere?\n\nIP: Vi har målindikatorene fra 10-faktor og KOSTRA.\n",
        encoding="utf-8",
    )
    with Project.create(tmp_path / "lemma.kodebok") as p:
        import_paths(p, [path])
        assert [h.idx for h in search(p, "indikator")] == [1]  # only a lemma (compound part)
        assert [h.idx for h in search(p, "indikator kostra")] == [1]  # lemma and text word
        assert [h.idx for h in search(p, "10-faktor")] == [1]  # several tokens: the text
        assert [h.idx for h in search(p, "indikator*")] == [1]
        assert search(p, "indikator budsjett") == []


def test_a_version_2_project_gets_the_split_indexes_and_keeps_its_lemmas(tmp_path: Path) -> None:
    import sqlite3

    from kodebok.store.project import _split_sql
    from kodebok.store.schema import MIGRATIONS

    path = tmp_path / "v2.kodebok"
    conn = sqlite3.connect(str(path), isolation_level=None)
    for migration in MIGRATIONS[:2]:
        for statement in _split_sql(migration):
            conn.execute(statement)
    conn.execute("INSERT INTO meta VALUES ('schema_version', '2')")
    conn.execute(
        "INSERT INTO documents(id, name, kind, language, text, sha256, imported_at) "
        "VALUES (1, 'dok', 'intervju', 'nb', 'IP: Vi har målindikatorer.', 'x', '2024')"
    )
    conn.execute(
        'INSERT INTO segments(document_id, idx, start, "end", text, lemmas) '
        "VALUES (1, 0, 0, 26, 'IP: Vi har målindikatorer.', 'målindikator +mål +indikator')"
    )
    conn.close()
    with Project.open(path) as p:
        assert p.schema_version() == SCHEMA_VERSION
        assert [h.idx for h in search(p, "indikator")] == [0]
        assert [h.idx for h in search(p, "målindikatorer")] == [0]
        with p.transaction() as c:
            c.execute("UPDATE segments SET lemmas = 'annet' WHERE id = 1")

        def lemma_hits(word: str) -> list[int]:
            sql = "SELECT rowid FROM lemmas_fts WHERE lemmas_fts MATCH ?"
            return [r[0] for r in p.conn.execute(sql, (word,))]

        assert lemma_hits("indikator") == []
        assert lemma_hits("annet") == [1]
        assert [h.idx for h in search(p, "annet")] == [0]
