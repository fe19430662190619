"""The numeric parts: sparse rows, logistic regression, log-odds themes, clustering."""

from __future__ import annotations

import importlib.util
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from kodebok.errors import KodebokError
from kodebok.nlp.learned import Example, LearnedModel, train
from kodebok.nlp.sparse import Vocabulary
from kodebok.nlp.themes import cluster_segments, distinctive_terms
from kodebok.services import nlp
from kodebok.store import Project

DATA = Path(__file__).resolve().parent.parent / "data" / "nlp"


def test_sparse_products_equal_dense_products() -> None:
    docs = [["a", "b", "b"], [], ["c"], ["a", "c", "d"], []]
    vocab = Vocabulary.fit(docs)
    rows = vocab.transform(docs)
    dense = rows.to_dense()
    other = np.arange(len(vocab.terms) * 2, dtype=float).reshape(-1, 2)
    assert np.allclose(rows.dot(other), dense @ other)
    back = np.arange(len(docs) * 3, dtype=float).reshape(-1, 3)
    assert np.allclose(rows.tdot(back), dense.T @ back)
    assert np.allclose(np.linalg.norm(dense[[0, 2, 3]], axis=1), 1.0)


def _examples() -> list[Example]:
    rapport = ("tertialrapport", "kostra", "rapportering")
    medvirkning = ("tillitsvalgt", "medvirkning", "ansatt")
    out = []
    for i in range(12):
        words = rapport if i % 2 else medvirkning
        out.append(Example(i, (*words[: 2 + i % 2], f"støy{i}"), frozenset({1 if i % 2 else 2})))
    return out


def test_logistic_regression_learns_which_words_mean_which_code() -> None:
    model = train(_examples())
    assert model.code_ids == [1, 2]
    report = model.predict(["tertialrapport", "kostra"])
    talk = model.predict(["tillitsvalgt", "medvirkning"])
    assert report[1] > 0.7 > report[2]
    assert talk[2] > 0.7 > talk[1]
    assert model.reasons(["kostra", "ukjent"], 1) == ["kostra"]


def test_rejections_push_a_code_down() -> None:
    base = _examples()
    rejected = [
        Example(100 + i, ("tertialrapport", "budsjett"), frozenset(), frozenset({1}))
        for i in range(6)
    ]
    plain = train(base).predict(["budsjett", "tertialrapport"])[1]
    taught = train(base + rejected).predict(["budsjett", "tertialrapport"])[1]
    assert taught < plain


def test_stored_model_reads_back_the_same_predictions() -> None:
    model = train(_examples())
    copy = LearnedModel.from_json(model.to_json())
    assert copy is not None
    assert copy.key == model.key
    a = model.predict(["kostra", "ansatt"])
    b = copy.predict(["kostra", "ansatt"])
    assert all(abs(a[c] - b[c]) < 1e-4 for c in a)
    assert LearnedModel.from_json("{not json") is None


def test_distinctive_terms_follow_the_log_odds_with_prior() -> None:
    groups = {
        "Nordvik": Counter({"styringskort": 30, "kommune": 50, "tillitsvalgt": 2}),
        "Fjellbygd": Counter({"styringskort": 2, "kommune": 50, "tillitsvalgt": 25}),
    }
    found = {g.group: g for g in distinctive_terms(groups, {"Nordvik": 10, "Fjellbygd": 12})}
    nordvik = found["Nordvik"].terms
    assert nordvik[0].term == "styringskort"
    assert nordvik[0].z > 3
    assert nordvik[0].count == 30
    assert nordvik[0].count_rest == 2
    assert found["Fjellbygd"].terms[0].term == "tillitsvalgt"
    # a word both groups use equally is not distinctive for either
    assert all(t.term != "kommune" or abs(t.z) < 1 for g in found.values() for t in g.terms)


def test_excluded_names_are_not_listed_but_still_count() -> None:
    groups = {
        "Nordvik": Counter({"nordvik": 40, "anne_marit": 12, "styringskort": 30, "kommune": 50}),
        "Fjellbygd": Counter({"fjellbygd": 40, "styringskort": 2, "kommune": 50}),
    }
    plain = distinctive_terms(groups, {})
    assert plain[0].terms[0].term == "nordvik"
    found = distinctive_terms(groups, {}, exclude={"Nordvik", "fjellbygd", "marit"})
    listed = {t.term for g in found for t in g.terms}
    assert not listed & {"nordvik", "fjellbygd", "anne marit"}
    assert found[0].terms[0].term == "styringskort"
    assert found[0].tokens == plain[0].tokens  # the names still count in the group's words


def test_proper_names_are_the_projects_and_the_gazetteers_but_not_ordinary_words(
    project: Project,
) -> None:
    _build(project)
    conn = project.conn
    conn.execute(
        "UPDATE speakers SET label = 'Anne Marit' WHERE id = (SELECT MIN(id) FROM speakers)"
    )
    names = nlp.proper_names(project)
    assert {"nordvik", "storsjø", "anne", "marit", "hansen"} <= names
    assert not {"liv", "strand", "rektor", "kommune"} & names


def test_a_name_that_is_also_a_word_counts_as_a_name_when_only_written_with_a_capital(
    project: Project,
) -> None:
    from kodebok.ingest.model import ParsedDocument, Turn
    from kodebok.services.documents import ImportOptions, store_parsed

    text = (
        "IP: Vi har snakket med Geir og Per lenge. Per uke snakker vi om livet, og liv er "
        "viktig. Vold i nære relasjoner er prioritert. Hvis VOLD står i planen, er det bra."
    )
    store_parsed(
        project,
        ParsedDocument(
            name="navn",
            source="navn.txt",
            kind="intervju",
            text=text,
            turns=(Turn(4, len(text), "IP"),),
        ),
        ImportOptions(case="Nordvik"),
    )
    names = nlp.proper_names(project)
    assert "geir" in names  # "Geir" inside a sentence, never "geir"
    assert "per" in names  # "Per" inside a sentence (and once at a start): no "per"
    assert "liv" not in names  # "liv" in lower case too
    assert "vold" not in names  # at a sentence start and in capitals only: no evidence
    assert "strand" not in names  # not in the texts at all: an ordinary word


def test_rare_words_are_not_distinctive_on_thin_evidence() -> None:
    groups = {
        "A": Counter({"sjelden": 3, "vanlig": 200}),
        "B": Counter({"vanlig": 200, "annet": 60}),
    }
    terms = {t.term: t for t in distinctive_terms(groups, {}, min_count=3)[0].terms}
    assert terms["sjelden"].z < 2.5


def test_clusters_group_segments_about_the_same_thing() -> None:
    a = ["tertialrapport", "kostra", "rapportering", "budsjett"]
    b = ["tillitsvalgt", "medvirkning", "ansatt", "partssamarbeid"]
    docs = [[*a[: 3 + i % 2], f"x{i}"] for i in range(6)] + [
        [*b[: 3 + i % 2], f"y{i}"] for i in range(6)
    ]
    found = cluster_segments(docs, k=2)
    assert sorted(c.size for c in found) == [6, 6]
    for cluster in found:
        members = set(cluster.members)
        assert members in ({0, 1, 2, 3, 4, 5}, {6, 7, 8, 9, 10, 11})
        assert cluster.label


def test_too_few_segments_make_no_clusters() -> None:
    assert cluster_segments([["a"], ["b"], []]) == []


def _build(project: Project) -> None:
    spec = importlib.util.spec_from_file_location("nlp_fixture", DATA / "fixture_project.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.build(project)


def test_themes_by_case_give_terms_per_kommune(project: Project) -> None:
    _build(project)
    report = nlp.themes(project, by="case", top=5)
    groups = {g["group"]: g for g in report["groups"]}
    assert set(groups) == {"Nordvik", "Fjellbygd", "Elvestad", "Storsjø"}
    storsjo = [t["term"] for t in groups["Storsjø"]["terms"]]
    assert "lederavtale" in storsjo or "kommunedirektør" in storsjo
    assert all(t["z"] > 0 for g in report["groups"] for t in g["terms"])


def test_themes_by_an_attribute_and_bad_groupings(project: Project) -> None:
    from kodebok.services.documents import set_attribute

    _build(project)
    for doc_id, value in project.conn.execute("SELECT id, name LIKE 'nordvik%' FROM documents"):
        set_attribute(project, "document", doc_id, "region", "nord" if value else "sør")
    report = nlp.themes(project, by="region", top=3)
    assert report["by"] == "document:region"
    assert {g["group"] for g in report["groups"]} == {"nord", "sør"}
    with pytest.raises(KodebokError, match="unknown grouping"):
        nlp.themes(project, by="fylke")
    with pytest.raises(KodebokError, match="--top"):
        nlp.themes(project, by="case", top=0)


def test_themes_need_two_groups(project: Project) -> None:
    _build(project)
    with project.transaction() as conn:
        conn.execute("UPDATE documents SET case_id = (SELECT MIN(id) FROM cases)")
    with pytest.raises(KodebokError, match="two groups"):
        nlp.themes(project, by="case")


def test_clusters_of_uncoded_segments_are_candidate_codes(project: Project) -> None:
    _build(project)
    report = nlp.clusters(project, k=2)
    assert report["segments"] >= 4
    assert sum(c["size"] for c in report["clusters"]) == report["segments"]
    assert all(c["examples"] and c["label"] for c in report["clusters"])


def test_clusters_need_uncoded_segments(project: Project) -> None:
    with pytest.raises(KodebokError, match="too few"):
        nlp.clusters(project)


def test_vector_index_counts_near_coded_segments() -> None:
    from kodebok.nlp.vectors import VectorIndex

    space = {
        "tertialrapport": np.array([1.0, 0.0, 0.0]),
        "kostra": np.array([0.9, 0.1, 0.0]),
        "tillitsvalgt": np.array([0.0, 1.0, 0.0]),
        "medvirkning": np.array([0.1, 0.9, 0.0]),
    }
    index = VectorIndex(
        [
            (1, ["tertialrapport"], frozenset({10})),
            (2, ["kostra", "tertialrapport"], frozenset({10})),
            (3, ["tillitsvalgt"], frozenset({20})),
            (4, ["ukjent"], frozenset({30})),  # no vector: left out
        ],
        space.get,
    )
    found = index.match(["kostra"])
    assert found[0].code_id == 10
    assert found[0].neighbours == 2
    assert all(m.code_id != 30 for m in found)
    assert index.match(["tertialrapport"], exclude=1)[0].neighbours == 1
    assert index.match(["ukjent"]) == []


def test_vector_suggester_joins_when_the_pipeline_has_vectors(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kodebok.nlp.engine import build_engine
    from kodebok.nlp.pipeline import load_pipeline
    from tests.unit.test_nlp_features import build_tiny_pipeline

    _build(project)
    build_tiny_pipeline(tmp_path / "nb_tiny")
    monkeypatch.setenv("KODEBOK_SPACY_MODEL", str(tmp_path / "nb_tiny"))
    load_pipeline.cache_clear()
    try:
        nlp.compute_features(project)
        engine = build_engine(project, cache=False)
        assert "vectors" in engine.sources
        report = next(iter(nlp.suggest(project, document="storsjo_ordforer")))
        assert report["suggestions"]
    finally:
        load_pipeline.cache_clear()
