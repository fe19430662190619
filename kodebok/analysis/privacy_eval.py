"""Measure ``privacy-check``'s detector on NorNE: ``python -m kodebok.analysis.privacy_eval --norne DIR``.

NorNE (https://github.com/ltgoslo/norne) marks named entities in the Universal Dependencies
files as ``name=B-PER`` … in the MISC column. Each test sentence is rebuilt from its tokens
(``SpaceAfter=No`` respected) and given to the detector on its own line, as a transcript turn
would be. Reported:

- recall per entity type: the share of gold entities that some finding overlaps;
- the share of findings that overlap a gold entity of any type (the rest are false alarms).

With ``--model PATH`` (or ``KODEBOK_SPACY_MODEL``) the pipeline's entities join the
gazetteers and patterns, as in ``privacy-check``; without, the gazetteers and patterns alone.
Nothing of NorNE is stored or shipped with kodebok.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kodebok.analysis.privacy import find_personal_data

GROUPS = {
    "person": ("PER",),
    "place": ("LOC", "GPE_LOC"),
    "organisation": ("ORG", "GPE_ORG"),
}


@dataclass
class Sentence:
    """One sentence: text and gold entities (start, end, label)."""

    text: str
    entities: list[tuple[int, int, str]] = field(default_factory=list)


def read_conllu(path: Path) -> Iterator[Sentence]:
    """Sentences of a NorNE UD file with their entities as character spans."""
    tokens: list[tuple[str, bool, str]] = []

    def build() -> Sentence:
        text = ""
        spans: list[tuple[int, int, str]] = []
        open_span: list[int | str] | None = None
        for form, space_after, tag in tokens:
            start = len(text)
            text += form
            end = len(text)
            if tag.startswith("B-") or (tag.startswith("I-") and open_span is None):
                if open_span is not None:
                    spans.append((int(open_span[0]), int(open_span[1]), str(open_span[2])))
                open_span = [start, end, tag[2:]]
            elif tag.startswith("I-") and open_span is not None:
                open_span[1] = end
            else:
                if open_span is not None:
                    spans.append((int(open_span[0]), int(open_span[1]), str(open_span[2])))
                open_span = None
            if space_after:
                text += " "
        if open_span is not None:
            spans.append((int(open_span[0]), int(open_span[1]), str(open_span[2])))
        return Sentence(text.rstrip(), spans)

    with path.open(encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if not line:
                if tokens:
                    yield build()
                tokens = []
                continue
            if line.startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) < 10 or not cols[0].isdigit():
                continue  # multiword ranges (1-2) and empty nodes
            misc = dict(item.split("=", 1) for item in cols[9].split("|") if "=" in item)
            tokens.append((cols[1], misc.get("SpaceAfter") != "No", misc.get("name", "O")))
    if tokens:
        yield build()


def test_files(norne: Path) -> list[Path]:
    """The UD test files of a NorNE checkout (bokmål and nynorsk)."""
    files = sorted(norne.glob("ud/*/*-test.conllu"))
    if not files:
        raise SystemExit(f"{norne}: no ud/*/*-test.conllu here (is it a NorNE checkout?)")
    return files


def evaluate(
    sentences: list[Sentence], model: str | None = None, batch_size: int = 256
) -> dict[str, object]:
    """Recall per type and the share of findings on a real entity."""
    entities: list[list[tuple[int, int, str]]] = [[] for _ in sentences]
    ner_seconds = 0.0
    if model:
        os.environ["KODEBOK_SPACY_MODEL"] = model
        from kodebok.nlp.pipeline import load_pipeline

        nlp = load_pipeline()
        if "ner" not in nlp.pipe_names:
            raise SystemExit(f"{model}: this pipeline has no 'ner' component")
        began = time.perf_counter()
        for k, doc in enumerate(nlp.pipe((s.text for s in sentences), batch_size=batch_size)):
            entities[k] = [(e.start_char, e.end_char, e.label_) for e in doc.ents]
        ner_seconds = time.perf_counter() - began
    began = time.perf_counter()
    gold_total = {g: 0 for g in GROUPS}
    gold_found = {g: 0 for g in GROUPS}
    findings = on_entity = on_group = 0
    kinds: dict[str, int] = {}
    sources: dict[str, int] = {}
    for sent, ents in zip(sentences, entities, strict=True):
        found = find_personal_data(sent.text, entities=ents)
        for group, labels in GROUPS.items():
            for s, e, label in sent.entities:
                if label in labels:
                    gold_total[group] += 1
                    if any(f.start < e and s < f.end for f in found):
                        gold_found[group] += 1
        wanted = {lab for labels in GROUPS.values() for lab in labels}
        for f in found:
            findings += 1
            kinds[f.kind] = kinds.get(f.kind, 0) + 1
            for src in f.source.split("+"):
                sources[src.split(":")[0]] = sources.get(src.split(":")[0], 0) + 1
            hits = [lab for s, e, lab in sent.entities if f.start < e and s < f.end]
            on_entity += bool(hits)
            on_group += any(lab in wanted for lab in hits)
    detector_seconds = time.perf_counter() - began
    words = sum(len(s.text.split()) for s in sentences)
    return {
        "model": model or "none (gazetteers and patterns only)",
        "sentences": len(sentences),
        "words": words,
        "recall": {
            g: round(gold_found[g] / gold_total[g], 4) if gold_total[g] else None for g in GROUPS
        },
        "entities": gold_total,
        "findings": findings,
        "findings_on_an_entity": round(on_entity / findings, 4) if findings else None,
        "findings_on_person_place_org": round(on_group / findings, 4) if findings else None,
        "kinds": dict(sorted(kinds.items())),
        "sources": dict(sorted(sources.items())),
        "seconds": {"ner": round(ner_seconds, 2), "detector": round(detector_seconds, 2)},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m kodebok.analysis.privacy_eval", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--norne", type=Path, required=True, help="a NorNE checkout")
    parser.add_argument("--model", default=os.environ.get("KODEBOK_SPACY_MODEL") or None)
    parser.add_argument("--split", default="test", choices=["test", "dev"])
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args(argv)
    files = (
        test_files(args.norne)
        if args.split == "test"
        else sorted(args.norne.glob("ud/*/*-dev.conllu"))
    )
    sentences = [s for path in files for s in read_conllu(path)]
    report = evaluate(sentences, args.model)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0
    recall: dict[str, float | None] = report["recall"]  # type: ignore[assignment]
    entities: dict[str, int] = report["entities"]  # type: ignore[assignment]
    print(f"model: {report['model']}")
    print(
        f"{report['sentences']} sentences, {report['words']} words ({', '.join(str(f) for f in files)})"
    )
    for group, value in recall.items():
        shown = "–" if value is None else f"{value:.3f}"
        print(f"  {group:<13} recall {shown}  of {entities[group]} entities")
    print(
        f"  {report['findings']} findings; on an entity: {report['findings_on_an_entity']}; "
        f"on a person, place or organisation: {report['findings_on_person_place_org']}"
    )
    print(f"  kinds: {report['kinds']}")
    print(f"  sources: {report['sources']}; seconds: {report['seconds']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
