"""Loading the Norwegian spaCy pipeline.

The order: ``$KODEBOK_SPACY_MODEL`` (a package name or folder; ``blank`` forces the built-in
blank pipeline), an installed ``nb_core_news_*``, the pipeline kodebok ships (trained on NorNE,
``kodebok/nlp/models/nb_kodebok``, see docs/model-card.md), else blank ``nb`` + our lemmatizer.

Importing this module does not import spaCy; ``load_pipeline`` does (about 0.5 s, 1-2 s with the
shipped pipeline), once per process. Nothing is ever downloaded.
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
# the pipeline trained on NorNE that ships with kodebok (package data)
SHIPPED_NAME = "nb_kodebok"
SHIPPED_PIPELINE = Path(__file__).resolve().parent / "models" / SHIPPED_NAME
BLANK_CHOICE = "blank nb + kodebok_lemmatizer (simplemma)"
LEMMATIZER = "kodebok_lemmatizer"
# Components that set lemmas; a pipeline with one of them keeps its own lemmas.
_LEMMA_COMPONENTS = ("lemmatizer", "trainable_lemmatizer", LEMMATIZER)


def pipeline_choice() -> str:
    """Which pipeline ``load_pipeline`` will use, without importing spaCy."""
    chosen = os.environ.get(ENV_VAR, "").strip()
    if chosen:
        return BLANK_CHOICE if chosen.lower() == "blank" else chosen
    for name in INSTALLED_PIPELINES:
        if importlib.util.find_spec(name) is not None:
            return name
    if (SHIPPED_PIPELINE / "meta.json").is_file():
        return SHIPPED_NAME
    return BLANK_CHOICE


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


NAME_PROPAGATION = "kodebok_names"


def _name_key(word: str) -> str:
    """A name without a genitive -s (Bertelsens -> Bertelsen)."""
    return word[:-1] if word.endswith("s") and len(word) > 3 else word


class NamePropagation:
    """After the NER: a capitalised word that is part of a person's name somewhere in the Doc is
    a person's name wherever else it stands alone (Kari Nordmann ... Nordmann sa ...).

    Words outside any entity become PER; a one-word entity with another label whose word is such
    a name becomes PER. Adjacent one-word PER entities are joined. On NorNE dev (10 sentences a
    Doc) this raised PER recall by 2-4 points for a point of precision (docs/model-card.md); a
    whole interview is one Doc, where it matters more.
    """

    def __call__(self, doc: Doc) -> Doc:
        from spacy.tokens import Span

        names = {
            _name_key(t.text)
            for ent in doc.ents
            if ent.label_ == "PER"
            for t in ent
            if t.is_title and t.is_alpha and len(t) > 1
        }
        if not names:
            return doc
        spans: list[Span] = []
        covered: set[int] = set()
        for ent in doc.ents:
            covered.update(range(ent.start, ent.end))
            if ent.label_ != "PER" and len(ent) == 1 and _name_key(ent.text) in names:
                spans.append(Span(doc, ent.start, ent.end, "PER"))
            else:
                spans.append(ent)
        for tok in doc:
            alone = tok.i not in covered and tok.is_title and tok.is_alpha and len(tok) > 1
            if alone and _name_key(tok.text) in names:
                spans.append(Span(doc, tok.i, tok.i + 1, "PER"))
        spans.sort(key=lambda span: span.start)
        merged: list[Span] = []
        for span in spans:
            last = merged[-1] if merged else None
            if (
                last is not None
                and span.label_ == last.label_ == "PER"
                and last.end == span.start
                and len(span) == 1
            ):
                merged[-1] = Span(doc, last.start, span.end, "PER")
            else:
                merged.append(span)
        doc.ents = merged
        return doc


def register_factories() -> None:
    """Register kodebok's spaCy components (the shipped pipeline's config names them)."""
    _register_factory()


def _register_factory() -> None:
    from spacy.language import Language

    if Language.has_factory(LEMMATIZER):
        return

    @Language.factory(LEMMATIZER, default_config={"default_lang": "nb"})
    def make_kodebok_lemmatizer(nlp: Language, name: str, default_lang: str) -> KodebokLemmatizer:
        return KodebokLemmatizer(default_lang)

    @Language.factory(NAME_PROPAGATION)
    def make_name_propagation(nlp: Language, name: str) -> NamePropagation:
        return NamePropagation()


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


def _load_shipped() -> Language:
    import spacy

    from kodebok.errors import KodebokError

    try:
        return spacy.load(SHIPPED_PIPELINE)
    except (OSError, ValueError) as exc:
        raise KodebokError(
            f"{SHIPPED_PIPELINE}: cannot load kodebok's Norwegian pipeline ({exc}); reinstall "
            f"kodebok, or set {ENV_VAR}=blank to use the built-in lemmatizer only"
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
    if choice == BLANK_CHOICE:
        nlp = blank_pipeline()
    elif choice == SHIPPED_NAME and not os.environ.get(ENV_VAR, "").strip():
        nlp = _load_shipped()
    else:
        nlp = _load_installed(choice)
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
        f"components: {', '.join(nlp.pipe_names)}; {vectors}{describe_scores(meta)})"
    )


def describe_scores(meta: dict[str, Any]) -> str:
    """``; NorNE test: bokmål NER F 0.78 ...`` from the test scores a pipeline's meta.json keeps
    under ``kodebok_test_scores`` (the shipped pipeline's), else nothing."""
    scores = meta.get("kodebok_test_scores")
    if not isinstance(scores, dict):
        return ""
    parts = []
    for lang, res in scores.items():
        if not isinstance(res, dict):
            continue
        per = (res.get("per_label") or {}).get("PER") or {}
        items = [
            ("NER F", res.get("ents_f")),
            ("PER F", per.get("f")),
            ("UPOS", res.get("pos_acc")),
            ("lemma", res.get("lemma_acc")),
        ]
        shown = " ".join(f"{k} {v:.3f}" for k, v in items if isinstance(v, int | float))
        parts.append(f"{res.get('language', lang)} {shown}")
    return f"; NorNE test: {', '.join(parts)}" if parts else ""
