"""The Norwegian pipeline kodebok ships (trained on NorNE) and the loader's order."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from kodebok.nlp import pipeline as pl


@pytest.fixture
def fresh_pipeline() -> Iterator[None]:
    pl.load_pipeline.cache_clear()
    yield
    pl.load_pipeline.cache_clear()


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def test_shipped_pipeline_is_package_data_small_and_described() -> None:
    meta = json.loads((pl.SHIPPED_PIPELINE / "meta.json").read_text(encoding="utf-8"))
    assert folder_size(pl.SHIPPED_PIPELINE) < 25 * 1024 * 1024
    for name in ("tok2vec", "morphologizer", "trainable_lemmatizer", "ner", "kodebok_lemmatizer"):
        assert name in meta["pipeline"]
    scores = meta["kodebok_test_scores"]
    assert set(scores) == {"nob", "nno"}
    assert 0.0 < scores["nob"]["ents_f"] <= 1.0
    assert "PER" in scores["nob"]["per_label"]
    assert "PER" in meta["labels"]["ner"]
    assert "GPE_LOC" in meta["labels"]["ner"]


def test_shipped_pipeline_is_the_default_and_tags_a_sentence(
    monkeypatch: pytest.MonkeyPatch, fresh_pipeline: None
) -> None:
    monkeypatch.setattr(pl, "INSTALLED_PIPELINES", ())
    assert pl.pipeline_choice() == "nb_kodebok"
    nlp = pl.load_pipeline()
    assert nlp.pipe_names[-1] == "kodebok_lemmatizer"
    assert "sentencizer" in nlp.pipe_names
    assert nlp.pipe_names.index("kodebok_names") == nlp.pipe_names.index("ner") + 1
    doc = nlp("Rådmannen heter Kari Nordmann og bor i Bergen. Hun kommer fra Tromsø.")
    people = [e.text for e in doc.ents if e.label_ == "PER"]
    places = [e.text for e in doc.ents if e.label_ in ("GPE_LOC", "LOC")]
    assert people == ["Kari Nordmann"]
    assert "Bergen" in places
    assert [t.pos_ for t in doc][1] == "VERB"  # heter
    assert len(list(doc.sents)) == 2
    # kodebok's dictionary lemmatizer runs last: the lemmas suggestions and search expect
    assert doc[0].lemma_ == "rådmann"
    line = pl.describe_pipeline()
    assert line.startswith("nb_kodebok (version")
    assert "NorNE test: bokmål NER F 0." in line


def test_nynorsk_lemmas_stay_bokmaal_with_the_shipped_pipeline(
    monkeypatch: pytest.MonkeyPatch, fresh_pipeline: None
) -> None:
    monkeypatch.setattr(pl, "INSTALLED_PIPELINES", ())
    nlp = pl.load_pipeline()
    doc = nlp.make_doc("Skulen har mange tilsette.")
    doc.user_data["lang"] = "nn"
    doc = nlp(doc)
    assert doc[0].lemma_ == "skole"


def test_loader_order_env_then_shipped_then_blank(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_pipeline: None
) -> None:
    monkeypatch.setattr(pl, "INSTALLED_PIPELINES", ())
    monkeypatch.setenv(pl.ENV_VAR, "blank")
    assert pl.pipeline_choice() == pl.BLANK_CHOICE
    assert "ner" not in pl.load_pipeline().pipe_names
    pl.load_pipeline.cache_clear()
    monkeypatch.setenv(pl.ENV_VAR, str(pl.SHIPPED_PIPELINE))
    assert pl.pipeline_choice() == str(pl.SHIPPED_PIPELINE)
    assert "ner" in pl.load_pipeline().pipe_names
    monkeypatch.delenv(pl.ENV_VAR)
    monkeypatch.setattr(pl, "SHIPPED_PIPELINE", tmp_path / "missing")
    assert pl.pipeline_choice() == pl.BLANK_CHOICE


def test_broken_shipped_pipeline_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_pipeline: None
) -> None:
    from kodebok.errors import KodebokError

    broken = tmp_path / "nb_kodebok"
    broken.mkdir()
    (broken / "meta.json").write_text("{}", encoding="utf-8")
    monkeypatch.setattr(pl, "INSTALLED_PIPELINES", ())
    monkeypatch.setattr(pl, "SHIPPED_PIPELINE", broken)
    with pytest.raises(KodebokError, match="KODEBOK_SPACY_MODEL=blank"):
        pl.load_pipeline()
    assert "cannot load" in pl.describe_pipeline()


def test_describe_scores_reads_meta() -> None:
    meta = {
        "kodebok_test_scores": {
            "nob": {
                "language": "bokmål",
                "ents_f": 0.8,
                "pos_acc": 0.97,
                "per_label": {"PER": {"f": 0.9}},
            },
            "nno": "not a dict",
        }
    }
    assert pl.describe_scores(meta) == "; NorNE test: bokmål NER F 0.800 PER F 0.900 UPOS 0.970"
    assert pl.describe_scores({}) == ""


def test_name_propagation_marks_the_other_mentions_of_a_person() -> None:
    import spacy
    from spacy.tokens import Span

    nlp = spacy.blank("nb")
    doc = nlp("Kari Bertelsen kom . Bertelsen sa at Bertelsens skole og Kari Lund i Bergen .")
    doc.ents = [
        Span(doc, 0, 2, "PER"),
        Span(doc, 7, 8, "ORG"),  # Bertelsens: a one-word entity that is the person's name
        Span(doc, 13, 14, "GPE_LOC"),
    ]
    doc = pl.NamePropagation()(doc)
    assert [(e.text, e.label_) for e in doc.ents] == [
        ("Kari Bertelsen", "PER"),
        ("Bertelsen", "PER"),
        ("Bertelsens", "PER"),
        ("Kari", "PER"),  # Lund is not known as a name: only Kari is marked
        ("Bergen", "GPE_LOC"),
    ]
    untouched = nlp("kari og Kari .")
    untouched.ents = [Span(untouched, 2, 3, "ORG")]
    assert [e.label_ for e in pl.NamePropagation()(untouched).ents] == ["ORG"]


def test_name_propagation_joins_adjacent_names() -> None:
    import spacy
    from spacy.tokens import Span

    nlp = spacy.blank("nb")
    doc = nlp("Ole Hansen og Ole Hansen")
    doc.ents = [Span(doc, 0, 2, "PER")]
    doc = pl.NamePropagation()(doc)
    assert [(e.text, e.label_) for e in doc.ents] == [("Ole Hansen", "PER"), ("Ole Hansen", "PER")]


def test_deep_pass_leaves_out_the_lemmatizer_whose_lemmas_are_replaced(
    monkeypatch: pytest.MonkeyPatch, fresh_pipeline: None
) -> None:
    from kodebok.nlp import deep

    monkeypatch.setattr(pl, "INSTALLED_PIPELINES", ())
    nlp = pl.load_pipeline()
    assert deep.overwritten_components(nlp) == ["trainable_lemmatizer"]
    texts = [
        "Rådmannen heter Kari Nordmann og bor i Bergen.",
        "Eg har vore einingsleiar i heimetenesta sidan 2019, og det har gått bra.",
        "IP: Vi brukte styringskortet i alle enhetene, også på sykehjemmet.",
    ]
    fast = list(deep.analyse(texts, nlp))
    # the whole pipeline, each component run, gives the same entities, POS and lemmas
    full = []
    for doc in nlp.pipe(texts):
        tokens = [t for t in doc if not t.is_space]
        full.append(
            (
                [(e.start_char, e.end_char, e.label_) for e in doc.ents],
                " ".join(t.pos_ or "X" for t in tokens),
                " ".join((t.lemma_ or t.text).lower() for t in tokens),
            )
        )
    assert [(r.entities, r.pos, r.lemmas) for r in fast] == full
    # without kodebok's lemmatizer at the end a trained lemmatizer's lemmas are the result
    with nlp.select_pipes(disable=["kodebok_lemmatizer"]):
        assert deep.overwritten_components(nlp) == []


def test_deep_pass_uses_two_processes_only_for_a_large_pass(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from kodebok.nlp import deep

    monkeypatch.setattr("os.cpu_count", lambda: 2)
    assert deep.processes_for(deep.PARALLEL_FROM_WORDS - 1) == 1
    assert deep.processes_for(deep.PARALLEL_FROM_WORDS) == 2
    monkeypatch.setattr("os.cpu_count", lambda: 1)
    assert deep.processes_for(10 * deep.PARALLEL_FROM_WORDS) == 1
