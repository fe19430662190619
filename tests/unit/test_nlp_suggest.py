"""Code suggestions: codebook words, learning from codings and feedback, bad input, evaluation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kodebok.errors import KodebokError
from kodebok.services import nlp
from kodebok.services.coding import code_segment
from kodebok.store import Project
from kodebok.store import queries as q
from tests.data.nlp import fixture_project as fixture


@pytest.fixture
def coded(project: Project) -> Project:
    """Four interviews (one nynorsk, one in dialect), the codebook, codings in three of them."""
    fixture.build(project)
    return project


def by_idx(project: Project, document: str, top: int = 3) -> dict[int, list[dict[str, Any]]]:
    return {r["idx"]: r["suggestions"] for r in nlp.suggest(project, document=document, top=top)}


def seg_id(project: Project, document: str, idx: int) -> int:
    return q.segment(project, q.document(project, document).id, idx).id


# -- features in the project ---------------------------------------------------------------


def test_features_are_computed_once_and_stored(coded: Project) -> None:
    n = coded.conn.execute("SELECT COUNT(*) FROM segments").fetchone()[0]
    assert nlp.compute_features(coded) == n
    assert nlp.compute_features(coded) == 0
    lemmas = coded.conn.execute(
        "SELECT lemmas FROM segments s JOIN documents d ON d.id = s.document_id "
        "WHERE d.name = 'nordvik_radmann' AND s.idx = 1"
    ).fetchone()[0]
    assert "styringskort" in lemmas
    assert "+indikator" in lemmas


def test_only_segments_without_lemmas_are_recomputed(coded: Project) -> None:
    nlp.compute_features(coded)
    with coded.transaction() as conn:
        conn.execute("UPDATE segments SET lemmas = NULL WHERE id = 3")
    assert nlp.compute_features(coded) == 1


def test_full_text_search_finds_a_compound_by_its_part(coded: Project) -> None:
    nlp.compute_features(coded)
    hits = coded.conn.execute(
        "SELECT rowid FROM lemmas_fts WHERE lemmas_fts MATCH 'indikator'"
    ).fetchall()
    assert hits


def test_import_survives_a_failing_nlp_pass(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kodebok.services.importing import import_paths

    def broken(*args: object, **kwargs: object) -> int:
        raise RuntimeError("spaCy exploded")

    from kodebok.nlp import corpus

    # both the lemmas computed while storing and the NLP pass after the import fail
    monkeypatch.setattr(corpus.SegmentFeatures, "__call__", broken)
    monkeypatch.setattr(nlp, "compute_features", broken)
    path = tmp_path / "intervju.txt"
    path.write_text("I: Hei.\n\nIP: Vi bruker styringskort.\n", encoding="utf-8")
    results = import_paths(project, [path])
    assert results[0].status == "imported"
    assert "spaCy exploded" in results[0].details["nlp_warning"]
    assert project.conn.execute("SELECT COUNT(*) FROM segments WHERE lemmas IS NULL").fetchone()[0]


def test_import_stores_segments_with_their_lemmas_in_one_insert(
    project: Project, tmp_path: Path
) -> None:
    from kodebok.services.importing import import_paths
    from kodebok.services.search import search

    path = tmp_path / "intervju.txt"
    path.write_text("I: Hei.\n\nIP: Vi innførte målindikatorer i 2019.\n", encoding="utf-8")
    updates: list[str] = []
    project.conn.set_trace_callback(
        lambda sql: (
            updates.append(sql) if sql.lstrip().upper().startswith("UPDATE SEGMENTS") else None
        )
    )
    assert import_paths(project, [path])[0].status == "imported"
    project.conn.set_trace_callback(None)
    assert updates == []  # no second write of the segments (and their full-text index)
    lemmas = [r[0] for r in project.conn.execute("SELECT lemmas FROM segments ORDER BY idx")]
    assert all(lemmas)
    assert "indikator" in lemmas[-1]
    assert search(project, "indikator")  # the lemma is searchable


# -- codebook suggester --------------------------------------------------------------------


def test_codebook_words_suggest_codes_without_any_codings(project: Project) -> None:
    fixture.build(project, codings=False)
    found = by_idx(project, "nordvik_radmann")[13]
    assert found[0]["code"] == "Metoder/Rapportering"
    assert found[0]["source"] == "codebook"
    assert "tertialrapport" in found[0]["why"] or "målindikator" in found[0]["why"]
    assert 0.0 < found[0]["score"] <= 1.0


def test_misspelled_word_still_matches_a_code(project: Project) -> None:
    fixture.add_codes(project)
    fixture.add_document(project, "skrivefeil", "IP: Vi skriver lederavtaaler hvert år.")
    found = by_idx(project, "skrivefeil")[0]
    assert found
    assert found[0]["code"] == "Metoder/Lederavtaler"
    assert any("≈" in w for w in found[0]["why"])


def test_nynorsk_and_dialect_turns_match_bokmal_codes(project: Project) -> None:
    fixture.build(project, codings=False)
    nynorsk = by_idx(project, "fjellbygd_kommunedirektor")[3]
    assert "Praksis/Medvirkning" in [s["code"] for s in nynorsk]


def test_parent_categories_are_not_suggested_by_words(project: Project) -> None:
    fixture.build(project, codings=False)
    codes = {s["code"] for r in nlp.suggest(project) for s in r["suggestions"]}
    assert "Metoder" not in codes


# -- learned suggester ---------------------------------------------------------------------


def test_learned_suggestions_for_an_uncoded_interview(coded: Project) -> None:
    found = by_idx(coded, "storsjo_ordforer")
    assert found[5][0]["code"] == "Metoder/Lederavtaler"
    assert found[5][0]["source"] == "learned"
    assert any(w.startswith("ligner ") for w in found[5][0]["why"])
    assert found[9][0]["code"] == "Metoder/Undersøkelser"


def test_a_code_needs_three_examples_before_it_is_learned(project: Project) -> None:
    fixture.build(project, codings=False)
    code_segment(project, "nordvik_radmann", 9, "Oppslutning og lojalitet", coder="tester")
    code_segment(project, "elvestad_enhetsleder", 7, "Oppslutning og lojalitet", coder="tester")
    from kodebok.nlp.engine import build_engine

    nlp.compute_features(project)
    engine = build_engine(project)
    assert engine.learned is not None
    assert engine.learned.code_ids == []


def test_interviewer_turns_get_no_suggestions(coded: Project) -> None:
    idxs = {r["idx"] for r in nlp.suggest(coded, document="storsjo_ordforer")}
    assert idxs == {1, 3, 5, 7, 9}
    with_questions = nlp.suggest(coded, document="storsjo_ordforer", include_interviewer=True)
    assert 0 in {r["idx"] for r in with_questions}


def test_asking_for_an_interviewer_turn_gives_an_empty_list(coded: Project) -> None:
    rows = list(nlp.suggest(coded, segment_id=seg_id(coded, "storsjo_ordforer", 0)))
    assert rows == [
        {
            "segment": rows[0]["segment"],
            "document": "storsjo_ordforer",
            "idx": 0,
            "number": 1,
            "suggestions": [],
        }
    ]


def test_uncoded_only_skips_coded_segments(coded: Project) -> None:
    docs = {(r["document"], r["idx"]) for r in nlp.suggest(coded, uncoded=True)}
    assert ("nordvik_radmann", 1) not in docs
    assert ("storsjo_ordforer", 1) in docs


def test_a_segment_is_never_offered_a_code_it_has(coded: Project) -> None:
    for row in nlp.suggest(coded, top=10):
        have = {c.code_id for c in q.codings(coded, segment_id=row["segment"])}
        paths = {q.code(coded, s["code"]).id for s in row["suggestions"]}
        assert not have & paths


def test_rejected_suggestion_is_not_offered_again(coded: Project) -> None:
    target = seg_id(coded, "storsjo_ordforer", 5)
    first = next(iter(nlp.suggest(coded, segment_id=target)))["suggestions"][0]
    code = q.code(coded, first["code"])
    nlp.record_feedback(coded, target, code.id, False, "tester")
    again = next(iter(nlp.suggest(coded, segment_id=target)))["suggestions"]
    assert first["code"] not in [s["code"] for s in again]


def test_accepting_a_suggestion_codes_the_segment_and_teaches_the_model(coded: Project) -> None:
    target = seg_id(coded, "storsjo_ordforer", 7)
    nlp.accept_suggestion(coded, target, "Kompetanseutvikling", "tester")
    coding = q.codings(coded, segment_id=target)[0]
    assert coding.origin == "suggestion"
    assert coded.conn.execute("SELECT accepted FROM suggestion_feedback").fetchone()[0] == 1
    coded.undo("tester")
    assert q.codings(coded, segment_id=target) == []
    assert coded.conn.execute("SELECT COUNT(*) FROM suggestion_feedback").fetchone()[0] == 0


def test_learned_model_is_cached_in_the_project_and_reused(
    coded: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kodebok.nlp import engine, learned

    # another test may have trained on identical examples in this process: start cold
    engine._models.clear()
    engine._engines.clear()
    list(nlp.suggest(coded))
    assert coded.get_setting(engine.MODEL_SETTING)
    engine._models.clear()
    engine._engines.clear()

    def no_training(*args: object, **kwargs: object) -> None:
        raise AssertionError("the stored model should have been used")

    monkeypatch.setattr(learned, "train", no_training)
    found = by_idx(coded, "storsjo_ordforer")
    assert found[5][0]["code"] == "Metoder/Lederavtaler"


def test_model_is_retrained_when_codings_change(coded: Project) -> None:
    from kodebok.nlp.engine import build_engine

    nlp.compute_features(coded)
    before = build_engine(coded)
    code_segment(coded, "storsjo_ordforer", 5, "Metoder/Lederavtaler", coder="tester")
    after = build_engine(coded)
    assert before is not after
    assert before.learned is not None
    assert after.learned is not None
    assert before.learned.key != after.learned.key


# -- bad input -----------------------------------------------------------------------------


def test_project_without_codes_is_a_clear_error(project: Project) -> None:
    fixture.add_document(project, "nordvik", "IP: Vi bruker styringskort.")
    with pytest.raises(KodebokError, match="no codes"):
        list(nlp.suggest(project))


def test_empty_project_with_codes_gives_nothing(project: Project) -> None:
    fixture.add_codes(project)
    assert list(nlp.suggest(project)) == []


@pytest.mark.parametrize("text", ["...", "12 000 kroner i 2023.", "(latter)", "Ja."])
def test_segments_without_content_words_get_no_suggestions(project: Project, text: str) -> None:
    fixture.build(project)
    fixture.add_document(project, "tomt", f"IP: {text}")
    assert by_idx(project, "tomt") == {0: []}


def test_a_50000_character_segment_gets_suggestions(project: Project) -> None:
    fixture.build(project)
    words = "Tertialrapporten og styringskortet blir diskutert i formannskapet hver måned. "
    fixture.add_document(project, "lang", "IP: " + words * (50_000 // len(words)))
    found = by_idx(project, "lang")[0]
    assert found[0]["code"] == "Metoder/Rapportering"


def test_codes_without_description_are_matched_by_name(project: Project) -> None:
    fixture.add_codes(project)
    fixture.add_document(project, "komp", "IP: Vi satser på kompetanseutvikling for lærerne.")
    assert by_idx(project, "komp")[0][0]["code"] == "Kompetanseutvikling"


def test_english_codebook_gives_no_false_matches(project: Project) -> None:
    from kodebok.services.codes import create_code

    for name, description in [
        ("Leadership", "How managers lead and delegate."),
        ("Reporting", "Reports to the council on goals and indicators."),
    ]:
        create_code(project, name, coder="tester", description=description)
    fixture.add_document(project, "nb", "IP: Tertialrapporten går til kommunestyret.")
    assert by_idx(project, "nb") == {0: []}


def test_unknown_document_and_segment_are_clear_errors(coded: Project) -> None:
    with pytest.raises(KodebokError, match="unknown document"):
        list(nlp.suggest(coded, document="nordvk_radman"))
    with pytest.raises(KodebokError, match="no segment"):
        list(nlp.suggest(coded, segment_id=99_999))
    with pytest.raises(KodebokError, match="top"):
        list(nlp.suggest(coded, top=0))


# -- evaluation ----------------------------------------------------------------------------


def test_evaluation_reports_accuracy_next_to_the_baseline(coded: Project) -> None:
    report = nlp.evaluate(coded, folds=3)
    results = report["results"]
    assert set(results) >= {"baseline", "combined", "codebook"}
    assert report["test_segments"] == 18  # 19 codings, one segment has two codes
    assert results["combined"]["top3"] >= results["baseline"]["top3"]
    assert results["combined"]["top1"] > results["baseline"]["top1"]
    assert set(results["combined"]["recall_at_3"]) == set(report["support"])


def test_evaluation_needs_codings_in_two_documents(project: Project) -> None:
    fixture.build(project, codings=False)
    code_segment(project, "nordvik_radmann", 1, "Metoder/Rapportering", coder="tester")
    with pytest.raises(KodebokError, match="at least two documents"):
        nlp.evaluate(project)


def test_read_only_project_gives_a_clear_error(coded: Project) -> None:
    coded.conn.execute("PRAGMA query_only = ON")  # as a file the user may not write to
    with pytest.raises(KodebokError, match="cannot store lemmas"):
        list(nlp.suggest(coded))


def test_lemmas_from_another_pipeline_or_word_list_are_recomputed_once(
    project: Project, tmp_path: Path
) -> None:
    from kodebok.services.importing import import_paths

    path = tmp_path / "intervju.txt"
    path.write_text("I: Hei.\n\nIP: Det er vanskeleg å halde fast på måla.\n", encoding="utf-8")
    import_paths(project, [path])
    assert project.get_setting(nlp.FEATURES_SETTING) == nlp.features_stamp()
    assert nlp.compute_features(project) == 0  # current: nothing to do
    with project.transaction() as conn:  # as if stored by an older kodebok
        conn.execute("UPDATE segments SET lemmas = 'gammel'")
        conn.execute("UPDATE settings SET value = 'old' WHERE key = ?", (nlp.FEATURES_SETTING,))
    assert nlp.compute_features(project) == 2
    lemmas = [r[0] for r in project.conn.execute("SELECT lemmas FROM segments ORDER BY idx")]
    assert "gammel" not in lemmas
    assert "vanskelig" in lemmas[-1]
    assert "holde" in lemmas[-1]
    assert project.get_setting(nlp.FEATURES_SETTING) == nlp.features_stamp()
    assert nlp.compute_features(project) == 0
