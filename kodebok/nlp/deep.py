"""The deep NLP pass: the full pipeline (entities, POS tags, lemmas) over segments, once.

The fast pass at import lemmatises with a dictionary; this pass runs ``load_pipeline()``,
the trained pipeline when there is one (``KODEBOK_SPACY_MODEL``, an installed
``nb_core_news_*``), over every segment on demand, and its results are stored per segment
(table ``segment_nlp``) for privacy-check and themes to reuse.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language

# Documents per batch: large enough that tok2vec and NER work on full batches.
BATCH_SIZE = 128
# Two processes pay for themselves only on a large pass: each worker loads the pipeline again
# (about 2 s) and every Doc is sent back. Measured with the shipped pipeline on an idle
# two-core machine, 125,300 words: one process 17,200 words/s, two 22,900.
PARALLEL_FROM_WORDS = 100_000
DEFAULT_PROCESSES = 1


def processes_for(words: int) -> int:
    """How many processes a pass over ``words`` words should use (two cores at most)."""
    import os

    cores = min(2, os.cpu_count() or 1)
    return cores if words >= PARALLEL_FROM_WORDS else DEFAULT_PROCESSES


def overwritten_components(nlp: Language) -> list[str]:
    """Components whose only output a later one replaces: a trained lemmatizer before
    kodebok's dictionary lemmatizer (which sets every token's lemma again). Leaving it out of
    the pass changes no result and saves a quarter of the time."""
    names = list(nlp.pipe_names)
    if "kodebok_lemmatizer" not in names:
        return []
    last = names.index("kodebok_lemmatizer")
    return [name for name in names[:last] if name in ("trainable_lemmatizer", "lemmatizer")]


@dataclass(frozen=True)
class DeepResult:
    """What the deep pass keeps of one segment."""

    entities: list[tuple[int, int, str]]  # character offsets into the segment text, label
    pos: str  # one coarse POS tag per token, space separated ("" without a tagger)
    lemmas: str  # one lemma per token, lower case, space separated
    words: int


def pipeline_stamp(nlp: Language) -> str:
    """Which pipeline made stored results: name, version, and ``+ner`` when it recognises
    entities (privacy-check trusts stored entities only from such a pipeline)."""
    meta = nlp.meta
    stamp = f"{meta.get('lang', 'nb')}_{meta.get('name', 'pipeline')}-{meta.get('version', '0')}"
    return stamp + ("+ner" if "ner" in nlp.pipe_names else "")


def has_ner(nlp: Language) -> bool:
    """Whether the pipeline recognises named entities."""
    return "ner" in nlp.pipe_names


def analyse(
    texts: Iterable[str],
    nlp: Language | None = None,
    *,
    n_process: int = 1,
    batch_size: int = BATCH_SIZE,
) -> Iterator[DeepResult]:
    """The deep pass over ``texts``, in order; ``n_process=2`` uses both cores."""
    if nlp is None:
        from kodebok.nlp.pipeline import load_pipeline

        nlp = load_pipeline()
    skipped = overwritten_components(nlp)
    for doc in nlp.pipe(texts, batch_size=batch_size, n_process=max(1, n_process), disable=skipped):
        tokens = [t for t in doc if not t.is_space]
        yield DeepResult(
            entities=[(e.start_char, e.end_char, e.label_) for e in doc.ents],
            pos=" ".join(t.pos_ or "X" for t in tokens) if doc.has_annotation("POS") else "",
            lemmas=" ".join((t.lemma_ or t.text).lower() for t in tokens),
            words=sum(1 for t in tokens if not t.is_punct),
        )
