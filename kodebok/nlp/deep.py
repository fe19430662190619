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
# One process by default: on 1.2 million words (bench scale medium, 2 shared cores) the
# trained NorNE pipeline did 14,500 words/s in one process and 7,300 with spaCy's
# n_process=2 (each worker loads the pipeline again, and every Doc is sent back between them).
DEFAULT_PROCESSES = 1


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
    for doc in nlp.pipe(texts, batch_size=batch_size, n_process=max(1, n_process)):
        tokens = [t for t in doc if not t.is_space]
        yield DeepResult(
            entities=[(e.start_char, e.end_char, e.label_) for e in doc.ents],
            pos=" ".join(t.pos_ or "X" for t in tokens) if doc.has_annotation("POS") else "",
            lemmas=" ".join((t.lemma_ or t.text).lower() for t in tokens),
            words=sum(1 for t in tokens if not t.is_punct),
        )
