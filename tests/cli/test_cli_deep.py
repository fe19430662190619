"""``kodebok nlp deep`` stores entities, POS and lemmas per segment; privacy-check and themes
reuse them. The tests build a tiny pipeline with an EntityRuler instead of a trained model."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import Result

TRANSCRIPT = (
    "---\ncase: {case}\n---\n"
    "I: Hvem tok initiativet?\n"
    "IP: {name} kom med ideen. Vi snakket med Brekkestø om {topic}. {name} ledet det.\n"
    "I: Og så?\n"
    "IP: Etterpå ble {topic} en del av planen. {name} fulgte opp {topic}.\n"
)


@pytest.fixture
def ruler_pipeline(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A blank Norwegian pipeline whose 'ner' is an EntityRuler for two names."""
    import spacy

    from kodebok.nlp import pipeline

    nlp = spacy.blank("nb")
    ruler = nlp.add_pipe("entity_ruler", name="ner")
    ruler.add_patterns(  # type: ignore[attr-defined]
        [
            {"label": "PER", "pattern": "Tone"},
            {"label": "PER", "pattern": "Liv"},
            {"label": "LOC", "pattern": "Brekkestø"},
        ]
    )
    monkeypatch.setattr(pipeline, "load_pipeline", lambda: nlp)
    monkeypatch.setattr(pipeline, "pipeline_choice", lambda: "test ruler")
    return


def _import(tmp_path: Path, cli: Callable[..., Result]) -> None:
    for case, topic, name in (
        ("Nordvik", "budsjettet", "Tone"),
        ("Fjellbygd", "rekrutteringen", "Liv"),
    ):
        doc = tmp_path / f"{case.lower()}_leder.txt"
        doc.write_text(TRANSCRIPT.format(case=case, topic=topic, name=name), encoding="utf-8")
        assert cli("import", str(doc)).exit_code == 0


def test_deep_pass_stores_entities_pos_and_lemmas_once(
    tmp_path: Path, cli: Callable[..., Result], project_path: Path, ruler_pipeline: None
) -> None:
    _import(tmp_path, cli)
    first = cli("nlp", "deep", "--format", "json")
    assert first.exit_code == 0, first.output
    report = json.loads(first.stdout)
    assert report["ner"] is True
    assert report["segments"] == 8
    assert report["entities"] == 8
    assert report["pipeline"].endswith("+ner")
    conn = sqlite3.connect(str(project_path))
    stored = conn.execute(
        "SELECT s.text, n.entities, n.lemmas FROM segment_nlp n JOIN segments s "
        "ON s.id = n.segment_id WHERE n.entities != '[]' ORDER BY s.id"
    ).fetchall()
    conn.close()
    text, entities, lemmas = stored[0]
    assert [text[s:e] for s, e, _ in json.loads(entities)] == ["Tone", "Brekkestø", "Tone"]
    assert lemmas.split()[:2] == ["tone", "kom"]
    again = json.loads(cli("nlp", "deep", "--format", "json").stdout)
    assert again["segments"] == 0
    assert again["skipped"] == 8
    status = cli("nlp", "deep", "--status")
    assert "8 with results" in status.output


def test_privacy_check_uses_the_stored_entities(
    tmp_path: Path, cli: Callable[..., Result], ruler_pipeline: None
) -> None:
    _import(tmp_path, cli)
    assert cli("nlp", "deep").exit_code == 0
    hits = json.loads(cli("privacy-check", "--format", "json").output)
    sources = {(h["match"], h["line"], h["context"][:8]): h["source"] for h in hits}
    # "Tone" at a sentence start is an ordinary word to the gazetteers: only the NER knows
    assert {s for (m, _, _), s in sources.items() if m == "Tone"} == {"ner:PER"}
    assert all("ner:LOC" in s for (m, _, _), s in sources.items() if m == "Brekkestø")


def test_themes_leave_out_names_the_recogniser_found(
    tmp_path: Path, cli: Callable[..., Result], ruler_pipeline: None
) -> None:
    _import(tmp_path, cli)
    before = json.loads(cli("themes", "--by", "case", "--format", "json").output)
    terms = {t["term"] for g in before["groups"] for t in g["terms"]}
    assert cli("nlp", "deep").exit_code == 0
    after = json.loads(cli("themes", "--by", "case", "--format", "json").output)
    kept = {t["term"] for g in after["groups"] for t in g["terms"]}
    assert {"tone", "liv"} <= terms
    assert not {"tone", "liv"} & kept
    assert "rekruttering" in kept or "rekrutteringen" in kept


def test_pseudonymised_exports_replace_what_only_the_recogniser_found(
    tmp_path: Path, cli: Callable[..., Result], ruler_pipeline: None
) -> None:
    _import(tmp_path, cli)
    assert cli("codebook", "add", "Initiativ").exit_code == 0
    assert cli("code", "nordvik_leder", "2", "Initiativ", "--coder", "t").exit_code == 0
    out = tmp_path / "k.csv"
    for stored in (False, True):  # the recogniser run on the document, then its stored result
        if stored:
            assert cli("nlp", "deep").exit_code == 0
        result = cli("codings", "export", "--pseudonymise", "--coder", "t", "-o", str(out))
        assert result.exit_code == 0, result.output
        exported = out.read_text(encoding="utf-8")
        assert "Tone" not in exported
        assert "Brekkestø" not in exported
        assert "Person 1 kom med ideen" in exported
        assert "Person 1 ledet det" in exported
        assert "Sted 1" in exported
