"""Scoring many segments at once gives what scoring them one by one gives; what is cached
between runs (the codebook's analysis, the learned model) is renewed when its inputs change."""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterator

import numpy as np
import pytest

from kodebok.nlp import corpus, engine, learned
from kodebok.nlp.codebook_match import K1, SCALE, B, CodebookMatcher
from kodebok.nlp.corpus import SegmentData
from kodebok.nlp.engine import CODEBOOK_SETTING, MODEL_SETTING, build_engine
from kodebok.nlp.learned import Example, LearnedModel, train
from kodebok.nlp.sparse import Vocabulary
from kodebok.nlp.suggest import Request, SuggestionEngine
from kodebok.services import nlp
from kodebok.services.codes import update_code
from kodebok.services.coding import code_segment
from kodebok.store import Project
from kodebok.store import queries as q
from tests.data.nlp import fixture_project as fixture


@pytest.fixture(autouse=True)
def _cold() -> Iterator[None]:
    """Every test starts without the models and engines other tests left in this process."""
    engine._models.clear()
    engine._engines.clear()
    yield
    engine._models.clear()
    engine._engines.clear()


@pytest.fixture
def coded(project: Project) -> Project:
    fixture.build(project)
    nlp.compute_features(project)
    return project


def _requests(segments: list[SegmentData]) -> list[Request]:
    return [Request(s.features, s.codes, s.id) for s in segments if not s.interviewer]


# -- batch scoring -------------------------------------------------------------------------


@pytest.mark.parametrize("sources", [None, ["codebook"], ["learned"]])
def test_a_batch_gets_what_each_segment_gets_alone(
    coded: Project, sources: list[str] | None
) -> None:
    suggester = build_engine(coded)
    assert suggester.sources == ["codebook", "learned"]
    requests = _requests(corpus.segments(coded))
    together = suggester.suggest_many(requests, top=5, min_score=0.0, sources=sources)
    alone = [
        suggester.suggest(
            r.features,
            top=5,
            exclude=r.exclude,
            segment_id=r.segment_id,
            min_score=0.0,
            sources=sources,
        )
        for r in requests
    ]
    assert together == alone
    assert any(together)


def test_batches_of_any_size_and_order_give_the_same_suggestions(coded: Project) -> None:
    suggester = build_engine(coded)
    requests = _requests(corpus.segments(coded))
    whole = suggester.suggest_many(requests)
    backwards = [
        found
        for start in range(0, len(requests), 3)
        for found in reversed(suggester.suggest_many(requests[start : start + 3][::-1]))
    ]
    assert backwards == whole
    assert suggester.suggest_many([]) == []


def test_excluded_codes_are_left_out_of_the_batch(coded: Project) -> None:
    suggester = build_engine(coded)
    requests = _requests(corpus.segments(coded))
    request, first = next(
        (r, found)
        for r, found in zip(requests, suggester.suggest_many(requests, top=10), strict=True)
        if len(found) > 1
    )
    without = Request(request.features, {*request.exclude, first[0].code_id}, request.segment_id)
    again, same = suggester.suggest_many([without, request], top=10)
    assert first[0].code_id not in [s.code_id for s in again]
    assert same == first


def _bm25_one_by_one(matcher: CodebookMatcher, terms: list[str], n_lemmas: int) -> dict[int, float]:
    """The codebook score written out term by term, as the suggester first did it."""
    length_norm = 1.0 - B + B * n_lemmas / max(matcher.stats.avg_len, 1.0)
    raw: dict[int, float] = {}
    for term, tf in Counter(terms).items():
        hits = matcher._hits(term)
        for code_term, similarity in hits:
            idf = matcher.stats.idf(code_term) if "_" not in code_term else 2 * SCALE
            saturation = tf * (K1 + 1) / (tf + K1 * length_norm)
            for code_id, weight in matcher.index[code_term].items():
                raw[code_id] = raw.get(code_id, 0.0) + weight * idf * saturation * similarity**2
    return {c: 1.0 - math.exp(-v / SCALE) for c, v in raw.items()}


def test_codebook_scores_as_one_product_equal_the_sum_term_by_term(coded: Project) -> None:
    fixture.add_document(coded, "skrivefeil", "IP: Vi skriver lederavtaaler og tertialrapporter.")
    nlp.compute_features(coded)
    matcher = build_engine(coded).matcher
    assert matcher is not None
    segments = [s for s in corpus.segments(coded) if s.features.lemmas]
    terms = [s.features.terms() for s in segments]
    raw = matcher.raw_scores(terms, [len(s.features.lemmas) for s in segments])
    fuzzy = 0
    for row, seg, seg_terms in zip(raw, segments, terms, strict=True):
        expected = _bm25_one_by_one(matcher, seg_terms, len(seg.features.lemmas))
        found = {
            c: 1.0 - math.exp(-v / SCALE)
            for c, v in zip(matcher.code_ids, row, strict=True)
            if v > 0
        }
        assert found.keys() == expected.keys()
        assert all(math.isclose(found[c], expected[c], rel_tol=1e-12) for c in found)
        one = {m.code_id: m.score for m in matcher.match(seg.features)}
        assert one.keys() == found.keys()
        assert all(math.isclose(one[c], found[c], rel_tol=1e-12) for c in one)
        fuzzy += any("≈" in w for words in matcher.words(seg_terms).values() for w in words)
    assert fuzzy  # the misspelt segment matched by a spelling variant


def test_neighbours_of_many_rows_equal_those_of_each_row(coded: Project) -> None:
    suggester = build_engine(coded)
    model = suggester.learned
    assert model is not None
    assert model.train_rows is not None
    segments = [s for s in corpus.segments(coded) if not s.interviewer]
    terms = [s.features.terms() for s in segments]
    together = model.neighbour_codes(model.vocabulary.transform(terms), [s.id for s in segments])
    alone = [model.neighbours(t, exclude=s.id) for t, s in zip(terms, segments, strict=True)]
    assert together == alone
    assert any(together)
    # a coded segment is never its own neighbour
    coded_ids = set(model.train_ids)
    for seg, near in zip(segments, together, strict=True):
        if seg.id in coded_ids:
            assert len(near) <= learned.NEIGHBOURS


def test_tf_idf_rows_follow_the_formula() -> None:
    docs = [["a", "b", "b", "x"], [], ["c", "c", "c"], ["a", "c", "d", "a"], ["zz"]]
    vocab = Vocabulary.fit(docs[:4])
    rows = vocab.transform(docs)
    dense = rows.to_dense()
    for i, doc in enumerate(docs):
        counts = Counter(t for t in doc if t in vocab.index)
        expected = np.zeros(len(vocab.terms))
        for t, n in counts.items():
            expected[vocab.index[t]] = (1.0 + math.log(n)) * vocab.idf[vocab.index[t]]
        norm = np.linalg.norm(expected) or 1.0
        assert np.allclose(dense[i], expected / norm)
    assert list(rows.indptr) == [0, 3, 3, 4, 7, 7]
    raw = vocab.transform(docs, sublinear=False).to_dense()
    assert raw[2, vocab.index["c"]] == pytest.approx(1.0)
    assert vocab.transform([]).n_rows == 0


def test_whole_project_suggestions_equal_those_asked_one_segment_at_a_time(
    coded: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "SUGGEST_BATCH", 4)
    whole = list(nlp.suggest(coded, top=4))
    one_by_one = [
        row
        for seg_id in [r["segment"] for r in whole]
        for row in nlp.suggest(coded, segment_id=seg_id, top=4)
    ]
    assert whole == one_by_one
    uncoded = list(nlp.suggest(coded, uncoded=True))
    assert [r["segment"] for r in uncoded] == [
        r["segment"] for r in whole if not q.codings(coded, segment_id=r["segment"])
    ]


# -- training ------------------------------------------------------------------------------


def _examples() -> list[Example]:
    rapport = ("tertialrapport", "kostra", "rapportering", "budsjett")
    medvirkning = ("tillitsvalgt", "medvirkning", "ansatt", "drøfting")
    out = []
    for i in range(40):
        words = rapport if i % 2 else medvirkning
        out.append(
            Example(i, (*words[: 2 + i % 3], f"støy{i % 7}"), frozenset({1 if i % 2 else 2}))
        )
    return out


def test_training_stops_once_the_loss_is_flat_and_ranks_as_a_full_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import scipy.special

    steps = 0
    expit = scipy.special.expit

    def counted(x: np.ndarray) -> np.ndarray:
        nonlocal steps
        steps += 1
        return np.asarray(expit(x))

    monkeypatch.setattr(scipy.special, "expit", counted)
    early = train(_examples())
    assert learned.MIN_ITERATIONS <= steps < learned.ITERATIONS
    monkeypatch.setattr(learned, "TOLERANCE", -math.inf)  # never "flat": every step runs
    steps = 0
    full = train(_examples())
    assert steps == learned.ITERATIONS
    for query in (["kostra", "budsjett"], ["drøfting", "ansatt"], ["støy3", "kostra"]):
        a, b = early.predict(query), full.predict(query)
        assert max(a, key=a.__getitem__) == max(b, key=b.__getitem__)
        assert all(abs(a[c] - b[c]) < 0.05 for c in a)


def test_stored_model_searches_the_same_training_sample_as_a_fresh_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(learned, "MAX_TRAINING", 10)
    examples = _examples()
    fresh = train(examples)
    stored = LearnedModel.from_json(fresh.to_json())
    assert stored is not None
    assert stored.train_rows is None
    stored.attach_examples(examples)
    assert stored.train_ids == fresh.train_ids
    assert len(fresh.train_ids) == 10
    assert stored.neighbours(["kostra", "budsjett"]) == fresh.neighbours(["kostra", "budsjett"])


# -- what is kept between runs -------------------------------------------------------------


def _fresh_process() -> None:
    engine._models.clear()
    engine._engines.clear()


def test_codebook_analysis_is_kept_and_reused_without_the_pipeline(
    coded: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kodebok.nlp import features

    first = build_engine(coded).matcher
    stored = json.loads(coded.get_setting(CODEBOOK_SETTING) or "{}")
    assert "Lederavtaler" in stored["texts"]
    _fresh_process()

    def no_pipeline(*args: object, **kwargs: object) -> None:
        raise AssertionError("the stored analysis should have been used")

    monkeypatch.setattr(features, "FeatureExtractor", no_pipeline)
    again = build_engine(coded).matcher
    assert first is not None
    assert again is not None
    assert again.index == first.index
    assert again is not first


def test_an_edited_code_is_the_only_text_analysed_again(
    coded: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kodebok.nlp.features import FeatureExtractor

    build_engine(coded)
    _fresh_process()
    analysed: list[str] = []
    original = FeatureExtractor.features

    def recording(self: FeatureExtractor, texts: list[tuple[str, str]]) -> list[str]:
        analysed.extend(t for t, _ in texts)
        return original(self, texts)

    monkeypatch.setattr(FeatureExtractor, "features", recording)
    update_code(coded, "Kompetanseutvikling", coder="tester", description="Kurs for rektorene.")
    matcher = build_engine(coded).matcher
    assert analysed == ["Kurs for rektorene."]
    assert matcher is not None
    assert "rektor" in matcher.index


def test_codebook_analysis_is_renewed_when_segments_are_analysed_anew(coded: Project) -> None:
    build_engine(coded)
    before = json.loads(coded.get_setting(CODEBOOK_SETTING) or "{}")["analyser"]
    fixture.add_document(coded, "ny", "IP: Vi har innført lederavtaler.")
    nlp.compute_features(coded)
    build_engine(coded)
    after = json.loads(coded.get_setting(CODEBOOK_SETTING) or "{}")["analyser"]
    assert after != before
    coded.set_setting(CODEBOOK_SETTING, "{not json")  # a damaged cache is simply rebuilt
    _fresh_process()
    assert build_engine(coded).matcher is not None
    assert json.loads(coded.get_setting(CODEBOOK_SETTING) or "{}")["analyser"] == after


def _stored_key(project: Project) -> str:
    return str(json.loads(project.get_setting(MODEL_SETTING) or "{}")["key"])


def _no_training(*args: object, **kwargs: object) -> None:
    raise AssertionError("the stored model should have been used")


def test_second_run_reads_the_model_and_feedback_retrains_it(
    coded: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    list(nlp.suggest(coded, uncoded=True))
    first = _stored_key(coded)
    _fresh_process()
    with monkeypatch.context() as m:
        m.setattr(learned, "train", _no_training)
        list(nlp.suggest(coded, uncoded=True))
    assert _stored_key(coded) == first

    target = fixture_segment(coded, "storsjo_ordforer", 5)
    code = q.code(coded, "Metoder/Lederavtaler")
    nlp.record_feedback(coded, target, code.id, False, "tester")
    _fresh_process()
    rows = {r["segment"]: r for r in nlp.suggest(coded, uncoded=True)}
    assert _stored_key(coded) != first  # trained again, on the rejection too
    assert "Metoder/Lederavtaler" not in [s["code"] for s in rows[target]["suggestions"]]


def test_new_codings_retrain_the_stored_model(coded: Project) -> None:
    list(nlp.suggest(coded, uncoded=True))
    first = _stored_key(coded)
    code_segment(coded, "storsjo_ordforer", 5, "Metoder/Lederavtaler", coder="tester")
    _fresh_process()
    list(nlp.suggest(coded, uncoded=True))
    assert _stored_key(coded) != first


def fixture_segment(project: Project, document: str, idx: int) -> int:
    return q.segment(project, q.document(project, document).id, idx).id


def test_engine_without_suggesters_suggests_nothing() -> None:
    from kodebok.nlp.features import Features

    empty = SuggestionEngine({1: "A"}, None)
    assert empty.suggest_many([Request(Features(("ord",), ()))]) == [[]]
