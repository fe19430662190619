"""Segment features: content-word lemmas in text order, with compound parts marked ``+part``.

The stored form (``segments.lemmas``) is one space-separated string, e.g.
``kommune målindikator +mål +indikator rapportering``: full-text search indexes every word of
it (FTS5 drops the ``+``), and the suggesters read lemmas, parts and bigrams back without
parsing the text again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kodebok.nlp.lexicon import Lexicon, shared_lexicon, stop_words

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

PART = "+"
BATCH_SIZE = 256
# spaCy refuses texts over nlp.max_length; longer segments are cut at whitespace into chunks.
CHUNK_CHARS = 100_000
MIN_LEMMA = 2
# Tokens after which a capital letter starts a sentence rather than marking a name.
_SENTENCE_STARTS = frozenset({".", "!", "?", ":", "«", '"', "(", "-", "–", "…", "\n", "\n\n"})


@dataclass(frozen=True)
class Features:
    """A segment's features read back from the stored string."""

    lemmas: tuple[str, ...]
    parts: tuple[str, ...]

    @property
    def bigrams(self) -> tuple[str, ...]:
        """Adjacent content-word lemmas joined by ``_`` (stop words in between are skipped)."""
        return tuple(f"{a}_{b}" for a, b in zip(self.lemmas, self.lemmas[1:], strict=False))

    def terms(self, bigrams: bool = True) -> list[str]:
        """Every term for bag-of-words models: lemmas, compound parts and (optionally) bigrams."""
        out = [*self.lemmas, *self.parts]
        if bigrams:
            out.extend(self.bigrams)
        return out


def parse_features(stored: str | None) -> Features:
    """Read a ``segments.lemmas`` string back into lemmas and compound parts."""
    if not stored:
        return Features((), ())
    lemmas: list[str] = []
    parts: list[str] = []
    for item in stored.split():
        if item.startswith(PART):
            parts.append(item[1:])
        else:
            lemmas.append(item)
    return Features(tuple(lemmas), tuple(parts))


class FeatureExtractor:
    """Turns texts into stored feature strings with one spaCy pipeline and a lexicon cache."""

    def __init__(self, nlp: Language | None = None, lexicon: Lexicon | None = None) -> None:
        from kodebok.nlp.pipeline import LEMMATIZER, lemma_components, load_pipeline

        self.nlp = nlp if nlp is not None else load_pipeline()
        self.lexicon = lexicon if lexicon is not None else shared_lexicon()
        self.stop = stop_words()
        # With kodebok's own lemmatizer the lexicon is the lemmatizer, so the pass only needs
        # the tokenizer; an installed pipeline's POS-aware lemmas need its components.
        self.own_lemmas = LEMMATIZER in self.nlp.pipe_names
        self.components = [] if self.own_lemmas else lemma_components(self.nlp)
        self._words: dict[tuple[str, str], tuple[str, ...]] = {}
        self._by_hash: dict[str, dict[int, tuple[tuple[str, ...], str, bool]]] = {}
        strings = self.nlp.vocab.strings
        self._start_hashes = frozenset(strings.add(s) for s in _SENTENCE_STARTS)

    def _word(self, word: str, lang: str, lemma: str | None) -> tuple[str, ...]:
        """The features of one lower-case word: (lemma, +part, ...) or () for a stop word."""
        key = (word, lang) if lemma is None else (f"{word}\t{lemma}", lang)
        found = self._words.get(key)
        if found is not None:
            return found
        out: tuple[str, ...] = ()
        if "-" in word:
            # KOSTRA-tall, mål- (og resultatstyring): each piece is a word of its own
            pieces = [p for p in word.split("-") if p]
            out = tuple(f for p in pieces for f in self._word(p, lang, None))
        elif word not in self.stop and len(word) >= MIN_LEMMA:
            analysis = self.lexicon.analyse(word, lang)
            best = analysis.lemma
            if lemma and word not in self.lexicon.normalisation:
                best = lemma
            if best not in self.stop and len(best) >= MIN_LEMMA:
                parts = tuple(PART + p for p in analysis.parts if p != best)
                out = (best, *parts)
        self._words[key] = out
        return out

    def doc_features(self, doc: Doc, lang: str) -> list[str]:
        """Feature items of one parsed text, in text order."""
        if not self.own_lemmas:
            return self._doc_features_installed(doc, lang)
        from spacy.attrs import IS_ALPHA, IS_TITLE, LOWER

        # One C-level array instead of Python attribute access per token: about twice as fast.
        rows = doc.to_array([LOWER, IS_ALPHA, IS_TITLE]).tolist()
        out: list[str] = []
        by_hash = self._by_hash.setdefault(lang, {})
        strings = doc.vocab.strings
        starts = self._start_hashes
        after_stop = True
        for lower_hash, alpha, title in rows:
            entry = by_hash.get(lower_hash)
            if entry is None:
                entry = self._entry(strings[lower_hash], lang)
                by_hash[lower_hash] = entry
            if entry[2]:
                continue  # spaces between words neither start nor continue a sentence
            if entry[0]:
                if title and alpha and not after_stop and entry[1]:
                    # a capital inside a sentence marks a name (Nordvik, Storsjø): kept whole,
                    # neither lemmatised nor split into nord + vik
                    out.append(entry[1])
                else:
                    out.extend(entry[0])
            after_stop = lower_hash in starts
        return out

    def _entry(self, lower: str, lang: str) -> tuple[tuple[str, ...], str, bool]:
        """Features of a token form, the form when it may be kept whole as a name, is-space."""
        if lower.isalpha():
            return self._word(lower, lang, None), "" if lower in self.stop else lower, False
        if "-" in lower and any(c.isalpha() for c in lower) and not lower[0].isdigit():
            return self._word(lower, lang, None), "", False
        return (), "", lower.isspace() and "\n" not in lower

    def _doc_features_installed(self, doc: Doc, lang: str) -> list[str]:
        out: list[str] = []
        after_stop = True
        for token in doc:
            if token.is_alpha:
                lower = token.lower_
                if token.is_title and not after_stop and lower not in self.stop:
                    out.append(lower)
                else:
                    out.extend(self._word(lower, lang, token.lemma_.lower()))
            elif "-" in token.text and not token.like_num and any(c.isalpha() for c in token.text):
                out.extend(self._word(token.lower_, lang, None))
            after_stop = token.text in _SENTENCE_STARTS
        return out

    def pipe(
        self,
        items: Iterable[tuple[str, str]],
        progress: Callable[[int], None] | None = None,
    ) -> Iterator[str]:
        """Stored feature strings for (text, language) pairs, in order, parsed in batches."""
        texts: list[tuple[str, str]] = []
        owners: list[int] = []
        n = 0
        for n, (text, lang) in enumerate(items, start=1):
            for chunk in _chunks(text or ""):
                texts.append((chunk, lang))
                owners.append(n - 1)
        collected: list[list[str]] = [[] for _ in range(n)]
        docs = self.nlp.pipe(
            (text for text, _ in texts), batch_size=BATCH_SIZE, disable=self._disabled()
        )
        for i, doc in enumerate(docs):
            collected[owners[i]].extend(self.doc_features(doc, texts[i][1]))
            if progress is not None and i % BATCH_SIZE == 0:
                progress(owners[i])
        for found in collected:
            yield " ".join(found)

    def features(self, texts: Sequence[tuple[str, str]]) -> list[str]:
        """Feature strings for a list of (text, language) pairs."""
        return list(self.pipe(texts))

    def _disabled(self) -> list[str]:
        return [name for name in self.nlp.pipe_names if name not in self.components]


def _chunks(text: str) -> list[str]:
    """A text cut at whitespace into pieces of at most CHUNK_CHARS characters."""
    if not text.strip():
        return []
    if len(text) <= CHUNK_CHARS:
        return [text]
    out: list[str] = []
    start = 0
    while start < len(text):
        end = min(len(text), start + CHUNK_CHARS)
        if end < len(text):
            space = text.rfind(" ", start, end)
            end = space if space > start else end
        out.append(text[start:end])
        start = end
    return out


def text_terms(extractor: FeatureExtractor, text: str, lang: str = "nb") -> Features:
    """Features of a short text such as a code's name or description (same analysis as segments)."""
    return parse_features(extractor.features([(text, lang)])[0])
