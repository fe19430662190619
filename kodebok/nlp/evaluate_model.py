"""Score a spaCy pipeline on the NorNE test split, per written standard.

    python -m kodebok.nlp.evaluate_model --norne /path/to/norne [--model PATH] [--json FILE]

Reports NER precision, recall and F overall and per label (PER, ORG, LOC, GPE_LOC, GPE_ORG,
PROD, EVT, DRV, MISC), UPOS, morphological features and lemma accuracy, and words per second, on
the gold tokenisation of ``ud/nob/no_bokmaal-ud-test.conllu`` and
``ud/nno/no_nynorsk-ud-test.conllu``. Without ``--model`` it scores what ``load_pipeline()``
loads. Not run by CI.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kodebok.errors import KodebokError
from kodebok.nlp.train_data import LANGS, case_copy, counts, group, read_ud

if TYPE_CHECKING:
    from spacy.language import Language

LANG_NAMES = {"nob": "bokmål", "nno": "nynorsk"}
# the targets; PER is the label the privacy check needs most
TARGETS = {"nob": {"ents_f": 0.75}, "nno": {"ents_f": 0.72}}
TARGETS_ALL = {"PER_f": 0.88, "pos_acc": 0.96, "lemma_acc": 0.96}


def _rounded(value: Any) -> Any:
    return round(value, 4) if isinstance(value, float) else value


def score_language(
    nlp: Language,
    norne: Path,
    lang: str,
    split: str = "test",
    per_doc: int = 10,
    case: str | None = None,
) -> dict[str, Any]:
    """Scores of ``nlp`` on one language's split (gold tokens; ``per_doc`` sentences a Doc)."""
    from spacy.tokens import Doc
    from spacy.training import Example

    from kodebok.nlp.train import sentences_to_doc

    sentences = read_ud(norne, lang, split)
    if case is not None:  # names typed in lower or upper case, as in some transcripts
        sentences = [case_copy(s, upper=case == "upper") for s in sentences]
    examples = []
    for sents in group(sentences, per_doc):
        gold = sentences_to_doc(nlp.vocab, sents)
        pred = Doc(
            nlp.vocab, words=[t.text for t in gold], spaces=[bool(t.whitespace_) for t in gold]
        )
        examples.append(Example(pred, gold))
    # words per second on the whole pipeline, measured apart from the scorer
    docs = [eg.predicted.copy() for eg in examples]
    started = time.perf_counter()
    for _doc in nlp.pipe(docs, batch_size=64):
        pass
    seconds = time.perf_counter() - started
    n_words = sum(len(d) for d in docs)
    scores = nlp.evaluate(examples)
    per_type = scores.get("ents_per_type") or {}
    result: dict[str, Any] = {
        "language": LANG_NAMES[lang],
        "data": counts(sentences),
        "ents_p": _rounded(scores.get("ents_p")),
        "ents_r": _rounded(scores.get("ents_r")),
        "ents_f": _rounded(scores.get("ents_f")),
        "per_label": {
            label: {k: _rounded(v) for k, v in values.items()}
            for label, values in sorted(per_type.items())
        },
        "pos_acc": _rounded(scores.get("pos_acc")),
        "morph_acc": _rounded(scores.get("morph_acc")),
        "lemma_acc": _rounded(scores.get("lemma_acc")),
        "words_per_second": round(n_words / seconds) if seconds else None,
    }
    return result


def evaluate(
    nlp: Language, norne: Path, split: str = "test", case: str | None = None
) -> dict[str, Any]:
    """Scores per language. With a trained lemmatizer, kodebok's dictionary lemmatizer (which
    gives bokmål lemmas for nynorsk, not UD's lemmas) is left out, so lemma accuracy is the
    trained one's."""
    from kodebok.nlp.pipeline import LEMMATIZER

    skip = [LEMMATIZER] if {"trainable_lemmatizer", LEMMATIZER} <= set(nlp.pipe_names) else []
    with nlp.select_pipes(disable=skip):
        return {lang: score_language(nlp, norne, lang, split, case=case) for lang in LANGS}


def format_report(results: dict[str, Any]) -> str:
    """A plain-text table per language, with the targets met or missed."""

    def pct(value: Any) -> str:
        return "  -  " if value is None else f"{100 * value:5.1f}"

    lines = []
    for lang, res in results.items():
        data = res["data"]
        lines.append(
            f"{res['language']} ({lang}): {data['sentences']} sentences, {data['tokens']} tokens, "
            f"{data['entities']} entities; {res['words_per_second']} words/s"
        )
        lines.append(
            f"  NER        P {pct(res['ents_p'])}  R {pct(res['ents_r'])}  F {pct(res['ents_f'])}"
        )
        for label, values in res["per_label"].items():
            lines.append(
                f"    {label:<8} P {pct(values.get('p'))}  R {pct(values.get('r'))}  F {pct(values.get('f'))}"
            )
        lines.append(
            f"  UPOS {pct(res['pos_acc'])}   features {pct(res['morph_acc'])}   lemma {pct(res['lemma_acc'])}"
        )
        checks = {**TARGETS.get(lang, {}), **TARGETS_ALL}
        missed = []
        for key, target in checks.items():
            value = res["per_label"].get("PER", {}).get("f") if key == "PER_f" else res.get(key)
            if value is None or value < target:
                missed.append(f"{key} {pct(value).strip()} < {100 * target:.0f}")
        lines.append("  targets: " + ("all met" if not missed else "missed: " + ", ".join(missed)))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m kodebok.nlp.evaluate_model", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--norne", type=Path, required=True, help="checkout of ltgoslo/norne")
    parser.add_argument(
        "--model", help="pipeline folder or package name (default: what kodebok loads)"
    )
    parser.add_argument("--split", choices=("test", "dev"), default="test")
    parser.add_argument(
        "--case",
        choices=("lower", "upper"),
        help="score on the split lower- or upper-cased (names typed without or in capitals)",
    )
    parser.add_argument("--json", type=Path, help="also write the scores as JSON to this file")
    args = parser.parse_args(argv)
    try:
        if args.model:
            import spacy

            from kodebok.nlp.pipeline import register_factories

            register_factories()
            try:
                nlp = spacy.load(args.model)
            except (OSError, ValueError) as exc:
                raise KodebokError(
                    f"{args.model}: cannot load this spaCy pipeline ({exc})"
                ) from exc
        else:
            from kodebok.nlp.pipeline import load_pipeline

            nlp = load_pipeline()
        results = evaluate(nlp, args.norne, args.split, args.case)
        cased = f", {args.case}-cased" if args.case else ""
        print(
            f"{args.model or 'kodebok pipeline'}: components {', '.join(nlp.pipe_names)}; "
            f"NorNE {args.split}{cased}"
        )
        print(format_report(results))
        if args.json:
            args.json.write_text(
                json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
            )
    except KodebokError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
