"""Loading the Norwegian spaCy pipeline: an installed one, else blank ``nb`` + our lemmatizer.

Importing this module does not import spaCy; ``load_pipeline`` does (about 0.5 s), once per
process. Nothing is ever downloaded.
"""

from __future__ import annotations

import importlib.util
import os
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

INSTALLED_PIPELINES = ("nb_core_news_lg", "nb_core_news_md", "nb_core_news_sm")
ENV_VAR = "KODEBOK_SPACY_MODEL"
LEMMATIZER = "kodebok_lemmatizer"
# Components that set lemmas; a pipeline with one of them keeps its own lemmas.
_LEMMA_COMPONENTS = ("lemmatizer", "trainable_lemmatizer", LEMMATIZER)


def pipeline_choice() -> str:
    """Which pipeline ``load_pipeline`` will use, without importing spaCy."""
    chosen = os.environ.get(ENV_VAR, "").strip()
    if chosen:
        return chosen
    for name in INSTALLED_PIPELINES:
        if importlib.util.find_spec(name) is not None:
            return name
    return "blank nb + kodebok_lemmatizer (simplemma)"


class KodebokLemmatizer:
    """Sets ``token.lemma_`` to a bokmål lemma from simplemma's nb/nn dictionaries.

    The language is the document's (``doc.user_data["lang"]``, ``nb`` or ``nn``), else the
    component's ``default_lang``. Nynorsk and dialect forms get bokmål lemmas, so documents in
    both written standards share one vocabulary.
    """

    def __init__(self, default_lang: str = "nb") -> None:
        from kodebok.nlp.lexicon import shared_lexicon

        self.default_lang = default_lang
        self.lexicon = shared_lexicon()

    def __call__(self, doc: Doc) -> Doc:
        lang = str(doc.user_data.get("lang") or self.default_lang)
        strings = doc.vocab.strings
        lemma_of = self.lexicon.lemma
        for token in doc:
            # lemma hashes instead of strings: one StringStore insert per distinct lemma
            token.lemma = strings.add(lemma_of(token.lower_, lang))
        return doc


def _register_factory() -> None:
    from spacy.language import Language

    if Language.has_factory(LEMMATIZER):
        return

    @Language.factory(LEMMATIZER, default_config={"default_lang": "nb"})
    def make_kodebok_lemmatizer(nlp: Language, name: str, default_lang: str) -> KodebokLemmatizer:
        return KodebokLemmatizer(default_lang)


def _load_installed(name: str) -> Language:
    import spacy

    from kodebok.errors import KodebokError

    try:
        return spacy.load(name)
    except (OSError, ValueError) as exc:
        raise KodebokError(
            f"{ENV_VAR}={name}: cannot load this spaCy pipeline ({exc}); unset the variable to "
            "use kodebok's built-in Norwegian lemmatizer",
            code="nlp.load_spacy_pipeline_unset",
            env_var=ENV_VAR,
            name=name,
            exc=str(exc),
        ) from exc


def blank_pipeline() -> Language:
    """A new built-in pipeline: blank ``nb`` + kodebok's lemmatizer + a sentencizer."""
    import spacy

    _register_factory()
    nlp = spacy.blank("nb")
    nlp.add_pipe(LEMMATIZER)
    nlp.add_pipe("sentencizer")
    return nlp


@cache
def load_pipeline() -> Language:
    """The pipeline for this process: $KODEBOK_SPACY_MODEL, an installed nb_core_news_*, or blank."""

    _register_factory()
    choice = pipeline_choice()
    if choice in INSTALLED_PIPELINES or os.environ.get(ENV_VAR, "").strip():
        nlp = _load_installed(choice)
    else:
        nlp = blank_pipeline()
    if not any(name in nlp.pipe_names for name in _LEMMA_COMPONENTS):
        nlp.add_pipe(LEMMATIZER, first=True)
    return nlp


def lemma_components(nlp: Language) -> list[str]:
    """The components features need (lemmas, and what an installed lemmatizer depends on)."""
    if LEMMATIZER in nlp.pipe_names:
        return [LEMMATIZER]
    # an installed rule lemmatizer needs POS tags from the tagger/morphologizer before it
    wanted = {"tok2vec", "tagger", "morphologizer", "attribute_ruler", *_LEMMA_COMPONENTS}
    return [name for name in nlp.pipe_names if name in wanted]


def has_vectors(nlp: Language) -> bool:
    """Whether the pipeline has word vectors (for the similarity suggester)."""
    return bool(nlp.vocab.vectors.shape[0]) and bool(nlp.vocab.vectors.shape[1])


def describe_pipeline() -> str:
    """One line for ``kodebok doctor``: name, version, components and vectors."""
    try:
        nlp = load_pipeline()
    except Exception as exc:  # doctor must report a broken pipeline, not crash on it
        return f"{pipeline_choice()}: cannot load ({exc})"
    meta: dict[str, Any] = nlp.meta
    name = f"{meta.get('lang', 'nb')}_{meta.get('name', 'pipeline')}"
    source = os.environ.get(ENV_VAR, "").strip()
    if source and Path(source).exists():
        name += f" from {source}"
    table = nlp.vocab.vectors
    vectors = (
        f"vectors for {table.n_keys} words, {table.shape[1]} dimensions"
        if has_vectors(nlp)
        else "no vectors"
    )
    return (
        f"{pipeline_choice() if not source else name} (version {meta.get('version', '?')}; "
        f"components: {', '.join(nlp.pipe_names)}; {vectors})"
    )
