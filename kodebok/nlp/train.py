"""Train kodebok's Norwegian spaCy pipeline on NorNE (bokmål and nynorsk).

    python -m kodebok.nlp.train --norne /path/to/norne --out /work/norne-train

Writes ``OUT/corpus/{train,dev,test}.spacy`` (plus ``test-nob.spacy`` and ``test-nno.spacy``),
``OUT/config.cfg`` and ``OUT/stats.json``, then trains with ``spacy.cli.train`` into
``OUT/model-best`` (the best dev score so far, rewritten while training) and ``OUT/model-last``.
Dev is used for early stopping only; score the result on test with
``python -m kodebok.nlp.evaluate_model``. Not run by CI; nothing is downloaded.
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
from kodebok.nlp.train_data import (
    LANGS,
    Sentence,
    Split,
    TagMapper,
    counts,
    fix_iob,
    group,
    mapping_accuracy,
    read_ndt,
    read_ud,
    split_language,
    train_groups,
)

if TYPE_CHECKING:
    from spacy.tokens import Doc
    from spacy.vocab import Vocab

PIPELINE = ["tok2vec", "morphologizer", "trainable_lemmatizer", "ner"]
# dev score that picks model-best: names matter most to kodebok (privacy check), then lemmas
SCORE_WEIGHTS = {"ents_f": 0.6, "lemma_acc": 0.15, "pos_acc": 0.15, "morph_acc": 0.1}


def sentences_to_doc(vocab: Vocab, sentences: Sequence[Sentence]) -> Doc:
    """One Doc of several sentences with UPOS, features, lemmas, entities and sentence starts."""
    from spacy.tokens import Doc

    words: list[str] = []
    spaces: list[bool] = []
    pos: list[str] = []
    morphs: list[str] = []
    lemmas: list[str] = []
    ents: list[str] = []
    starts: list[bool | int | None] = []
    for sent in sentences:
        tags = fix_iob([t.ent for t in sent.tokens])
        for i, (tok, ent) in enumerate(zip(sent.tokens, tags, strict=True)):
            words.append(tok.form)
            last = i + 1 == len(sent.tokens)
            spaces.append(tok.space_after or last)
            pos.append(tok.tag)
            morphs.append("" if tok.feats == "_" else tok.feats)
            lemmas.append(tok.lemma)
            ents.append(ent)
            starts.append(i == 0)
    return Doc(
        vocab,
        words=words,
        spaces=spaces,
        pos=pos,
        morphs=morphs,
        lemmas=lemmas,
        ents=ents,
        sent_starts=starts,
    )


def write_docbin(path: Path, vocab: Vocab, groups: Sequence[Sequence[Sentence]]) -> None:
    from spacy.tokens import DocBin

    docbin = DocBin(store_user_data=False)
    for sentences in groups:
        docbin.add(sentences_to_doc(vocab, sentences))
    path.parent.mkdir(parents=True, exist_ok=True)
    docbin.to_disk(path)


def prepare(norne: Path, out: Path, per_doc: int, case_share: float, seed: int) -> dict[str, Any]:
    """Convert NorNE into DocBin files under ``out/corpus``; returns the statistics."""
    import spacy

    vocab = spacy.blank("nb").vocab
    splits: dict[str, Split] = {}
    for lang in LANGS:
        dev, test = read_ud(norne, lang, "dev"), read_ud(norne, lang, "test")
        splits[lang] = split_language(read_ndt(norne, lang), dev, test, lang)
    stats: dict[str, Any] = {"per_doc": per_doc, "case_share": case_share, "seed": seed}
    all_pairs = [p for s in splits.values() for p in s.dev_ndt]
    mapper = TagMapper().learn(all_pairs)
    upos_acc, full_acc = mapping_accuracy(all_pairs, seed)
    lemma_same = sum(
        a.lemma == b.lemma
        for nd, ud in all_pairs
        for a, b in zip(nd.tokens, ud.tokens, strict=True)
    )
    n_pairs_tok = sum(len(nd.tokens) for nd, _ in all_pairs)
    stats["ndt_to_ud"] = {
        "aligned_dev_sentences": len(all_pairs),
        "upos_accuracy_half_split": round(upos_acc, 4),
        "upos_and_feats_accuracy_half_split": round(full_acc, 4),
        "ndt_lemma_equals_ud_lemma": round(lemma_same / n_pairs_tok, 4) if n_pairs_tok else 0.0,
    }
    train_all: list[list[Sentence]] = []
    dev_groups: list[list[Sentence]] = []
    for lang, split in splits.items():
        mapped = [[mapper.convert(s) for s in sentences] for sentences in split.train]
        train_all.extend(train_groups(mapped, per_doc, case_share, seed))
        dev_groups.extend(group(split.dev, per_doc))
        test_groups = group(split.test, per_doc)
        write_docbin(out / "corpus" / f"test-{lang}.spacy", vocab, test_groups)
        write_docbin(out / "corpus" / f"dev-{lang}.spacy", vocab, group(split.dev, per_doc))
        stats[lang] = {
            "train": counts(s for f in split.train for s in f),
            "dev": counts(split.dev),
            "test": counts(split.test),
            "ud_sentences_not_found_in_ndt": split.unmatched,
        }
    stats["train_with_case_copies"] = counts(s for g in train_all for s in g)
    write_docbin(out / "corpus" / "train.spacy", vocab, train_all)
    write_docbin(out / "corpus" / "dev.spacy", vocab, dev_groups)
    (out / "stats.json").write_text(
        json.dumps(stats, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return stats


def make_config(
    out: Path, *, max_steps: int, eval_frequency: int, patience: int, seed: int, width: int
) -> Path:
    """spaCy's CPU efficiency config for the four components, with our paths and weights."""
    from spacy.cli.init_config import init_config

    config = init_config(lang="nb", pipeline=PIPELINE, optimize="efficiency", gpu=False)
    corpus = out / "corpus"
    config["paths"]["train"] = str(corpus / "train.spacy")
    config["paths"]["dev"] = str(corpus / "dev.spacy")
    config["system"]["seed"] = seed
    training = config["training"]
    training["max_steps"] = max_steps
    training["max_epochs"] = 0
    training["eval_frequency"] = eval_frequency
    training["patience"] = patience
    training["score_weights"] = {
        **{k: None for k in training.get("score_weights", {})},
        **SCORE_WEIGHTS,
    }
    tok2vec = config["components"]["tok2vec"]["model"]
    tok2vec["encode"]["width"] = width
    tok2vec["embed"]["width"] = width
    # more NORM rows than the default 5000: fewer hash collisions between names
    tok2vec["embed"]["rows"] = [10000, 2000, 5000, 2500]
    path = out / "config.cfg"
    config.to_disk(path)
    return path


def make_finetune_config(
    out: Path,
    source: Path,
    *,
    learn_rate: float,
    max_steps: int,
    eval_frequency: int,
    patience: int,
    seed: int,
) -> Path:
    """A second phase: every component sourced from a trained pipeline, trained on with a lower
    learning rate and full-size batches (the first phase's learning rate is constant)."""
    from thinc.api import Config

    config = Config().from_disk(source / "config.cfg")
    corpus = out / "corpus"
    config["paths"]["train"] = str(corpus / "train.spacy")
    config["paths"]["dev"] = str(corpus / "dev.spacy")
    # a trained pipeline's config has its paths filled in
    config["corpora"]["train"]["path"] = str(corpus / "train.spacy")
    config["corpora"]["dev"]["path"] = str(corpus / "dev.spacy")
    config["system"]["seed"] = seed
    for name in PIPELINE:
        config["components"][name] = {"source": str(source)}
    training = config["training"]
    training["max_steps"] = max_steps
    training["max_epochs"] = 0
    training["eval_frequency"] = eval_frequency
    training["patience"] = patience
    training["optimizer"]["learn_rate"] = learn_rate
    training["before_update"] = {"@callbacks": RESUME_CALLBACK}
    size = training["batcher"]["size"]
    size["start"] = size["stop"]
    path = out / "config.cfg"
    config.to_disk(path)
    return path


RESUME_CALLBACK = "kodebok.resume_lemmatizer.v1"


def relink_lemmatizer_labels(nlp: Any, _info: Any = None) -> None:
    """spaCy 3.8's trainable lemmatizer does not rebuild its tree -> label table when it is
    loaded from disk (only ``initialize`` does), so a sourced one trained on maps every gold
    lemma to label 0 and unlearns. This rebuilds the table (run before each update)."""
    for _name, proc in nlp.pipeline:
        table = getattr(proc, "tree2label", None)
        if table is not None and not table:
            for label, tree in enumerate(proc.labels):
                table[tree] = label


def register_callbacks() -> None:
    from spacy.util import registry

    if RESUME_CALLBACK in registry.callbacks.get_all():
        return

    def make_relink() -> Any:
        return relink_lemmatizer_labels

    registry.callbacks.register(RESUME_CALLBACK, func=make_relink)


def train(config: Path, out: Path) -> None:
    from spacy.cli.train import train as spacy_train

    register_callbacks()
    spacy_train(config, out, use_gpu=-1)


def export_pipeline(
    model: Path,
    dest: Path,
    *,
    scores: dict[str, Any] | None = None,
    extra_meta: dict[str, Any] | None = None,
    version: str = "1.0.0",
    propagate_names: bool = True,
) -> Path:
    """Write a trained pipeline as kodebok ships it: + name propagation after the NER,
    sentencizer, kodebok's lemmatizer, meta.

    kodebok's dictionary lemmatizer runs last and sets the lemmas (bokmål lemmas for nynorsk too,
    the lemmas suggestions and search were built on); the trained lemmatizer's lemmas are the
    ones scored in the model card. ``scores`` (from ``evaluate_model``) go into meta.json as
    ``kodebok_test_scores``, which ``kodebok doctor`` shows.
    """
    import shutil

    import spacy

    from kodebok.nlp.pipeline import LEMMATIZER, NAME_PROPAGATION, SHIPPED_NAME, register_factories

    register_factories()
    nlp = spacy.load(model)
    if propagate_names and NAME_PROPAGATION not in nlp.pipe_names and "ner" in nlp.pipe_names:
        nlp.add_pipe(NAME_PROPAGATION, after="ner")
    if "sentencizer" not in nlp.pipe_names:
        nlp.add_pipe("sentencizer")
    if LEMMATIZER not in nlp.pipe_names:
        nlp.add_pipe(LEMMATIZER, last=True)
    meta = dict(nlp.meta)
    meta.update(
        {
            "name": SHIPPED_NAME.removeprefix("nb_"),
            "version": version,
            "description": (
                "kodebok's Norwegian (bokmål + nynorsk) pipeline: morphologizer (UPOS + features), "
                "trainable lemmatizer, NER (NorNE labels), trained on NorNE/NDT; kodebok_names "
                "spreads person names within a Doc; kodebok_lemmatizer sets the final lemmas. "
                "See docs/model-card.md."
            ),
            "license": "CC0-1.0 (NorNE/NDT annotations; model weights by the kodebok authors, CC0)",
            "sources": [
                {"name": "NorNE", "url": "https://github.com/ltgoslo/norne", "license": "CC0-1.0"},
                {
                    "name": "Norwegian Dependency Treebank (NDT) 1.0",
                    "url": "https://www.nb.no/sprakbanken/",
                    "license": "CC0-1.0 for the annotations",
                },
            ],
        }
    )
    if scores is not None:
        meta["kodebok_test_scores"] = scores
    if extra_meta:
        meta.update(extra_meta)
    nlp.meta.update(meta)
    if dest.exists():
        shutil.rmtree(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(dest)
    return dest


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m kodebok.nlp.train", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--norne", type=Path, help="checkout of ltgoslo/norne (not for --export)")
    parser.add_argument("--out", type=Path, default=Path("norne-train"), help="output folder")
    parser.add_argument("--per-doc", type=int, default=10, help="sentences per training Doc")
    parser.add_argument(
        "--case-share",
        type=float,
        default=0.1,
        help="share of sentences also lower- and upper-cased",
    )
    parser.add_argument("--max-steps", type=int, default=20000)
    parser.add_argument("--eval-frequency", type=int, default=500)
    parser.add_argument("--patience", type=int, default=4000)
    parser.add_argument("--width", type=int, default=96, help="tok2vec width")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--finetune",
        type=Path,
        metavar="MODEL",
        help="second phase: train MODEL's components on with --learn-rate",
    )
    parser.add_argument("--learn-rate", type=float, default=0.0002, help="with --finetune")
    parser.add_argument(
        "--prepare-only", action="store_true", help="write corpus and config, do not train"
    )
    parser.add_argument(
        "--export",
        type=Path,
        metavar="MODEL",
        help="do not train: write the trained pipeline MODEL as kodebok ships it (to --out)",
    )
    parser.add_argument(
        "--scores", type=Path, help="with --export: evaluate_model --json output for meta.json"
    )
    args = parser.parse_args(argv)
    try:
        if args.export:
            scores = json.loads(args.scores.read_text(encoding="utf-8")) if args.scores else None
            stats_path = args.export.parent / "stats.json"
            extra = {}
            if stats_path.is_file():
                extra["kodebok_data"] = json.loads(stats_path.read_text(encoding="utf-8"))
            print(export_pipeline(args.export, args.out, scores=scores, extra_meta=extra))
            return 0
        if args.norne is None:
            parser.error("--norne is required (or --export MODEL)")
        started = time.time()
        stats = prepare(args.norne, args.out, args.per_doc, args.case_share, args.seed)
        print(json.dumps(stats, indent=2, ensure_ascii=False))
        if args.finetune:
            config = make_finetune_config(
                args.out,
                args.finetune.resolve(),
                learn_rate=args.learn_rate,
                max_steps=args.max_steps,
                eval_frequency=args.eval_frequency,
                patience=args.patience,
                seed=args.seed,
            )
        else:
            config = make_config(
                args.out,
                max_steps=args.max_steps,
                eval_frequency=args.eval_frequency,
                patience=args.patience,
                seed=args.seed,
                width=args.width,
            )
        print(f"corpus and {config} written in {time.time() - started:.0f} s", flush=True)
        if not args.prepare_only:
            train(config, args.out)
            print(f"trained in {time.time() - started:.0f} s")
    except KodebokError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
