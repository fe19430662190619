"""Segment features: content-word lemmas in text order, with compound parts marked ``+part``.

The stored form (``segments.lemmas``) is one space-separated string, e.g.
``kommune målindikator +mål +indikator rapportering``: full-text search indexes every word of
it (FTS5 drops the ``+``), and the suggesters read lemmas, parts and bigrams back without
parsing the text again.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain
from typing import TYPE_CHECKING

import numpy as np

from kodebok.nlp.lexicon import Lexicon, shared_lexicon, stop_words, transcript_notes

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

PART = "+"
BATCH_SIZE = 256
# Texts per vectorised step: enough to amortise numpy's per-call cost.
FEATURE_BATCH = 512
# spaCy refuses texts over nlp.max_length; longer texts are cut into pieces (at whitespace
# where there is some).
PIECE_CHARS = 100_000
# Chunks (runs without whitespace) longer than this are no words but pasted junk (URLs, base64,
# lines of "=====" or commas). spaCy's affix search slows down steeply on them (10,000 commas
# take 15 s), so they are read without it: each run of letters is a word inside a sentence.
LONG_CHUNK = 200
_LETTERS = re.compile(r"[^\W\d_]+")
# Distinct chunks kept per language before the table starts again (about 300 bytes each).
MAX_CHUNKS = 500_000
MIN_LEMMA = 2
# Longer runs of letters are no words (Norway's longest dictionary compounds have about 40
# letters) but pasted junk; they get no features, and compound splitting, which tries every
# split point, never sees them.
MAX_WORD = 64
# Tokens after which a capital letter starts a sentence rather than marking a name.
_SENTENCE_STARTS = frozenset({".", "!", "?", ":", "«", '"', "(", "-", "–", "…", "\n", "\n\n"})
_OTHER, _SPACE, _SENTENCE_START, _CONTENT = 0, 1, 2, 3


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
        self.notes = transcript_notes()
        # With kodebok's own lemmatizer the lexicon is the lemmatizer, so the pass only needs
        # the tokenizer; an installed pipeline's POS-aware lemmas need its components.
        self.own_lemmas = LEMMATIZER in self.nlp.pipe_names
        self.components = [] if self.own_lemmas else lemma_components(self.nlp)
        self._words: dict[tuple[str, str], tuple[str, ...]] = {}
        self._chunk_tables: dict[str, _ChunkTable] = {}
        self._tokens: dict[str, dict[str, tuple[int, str, str]]] = {}

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
        elif word not in self.stop and MIN_LEMMA <= len(word) <= MAX_WORD:
            analysis = self.lexicon.analyse(word, lang)
            best = analysis.lemma
            if lemma and word not in self.lexicon.normalisation:
                best = lemma
            if best not in self.stop and len(best) >= MIN_LEMMA:
                parts = tuple(PART + p for p in analysis.parts if p != best)
                out = (best, *parts)
        self._words[key] = out
        return out

    def _chunk_features(self, texts: Sequence[str], lang: str) -> list[str]:
        """Stored feature strings of texts of one language, read chunk by chunk.

        A chunk is a run of text without whitespace. spaCy's tokenizer splits a text at
        whitespace first and tokenises each piece on its own, so a text's tokens are its
        chunks' tokens one after the other (tests check this against whole Docs). One
        exception: spaCy's last step matches emoticons across whitespace, so in "sa: (:Oslo"
        the whole text keeps ":" "(" ":" apart where the chunk alone gives "(:"; that changes
        only whether the next word counts as a name, and the chunk's reading is the saner. Each
        distinct chunk is tokenised once and kept with its features in two forms: after a
        sentence start and inside a sentence, the only context a name depends on. A text then
        costs a ``str.split`` and a dictionary look-up per chunk, vectorised over the batch,
        not a Doc of its own.
        """
        if not texts:
            return []
        table = self._chunk_tables.get(lang)
        if table is None or len(table.index) > MAX_CHUNKS:
            table = self._chunk_tables[lang] = _ChunkTable()
            self._tokens.pop(lang, None)
        split = list(map(str.split, texts))
        counts = np.fromiter(map(len, split), dtype=np.int64, count=len(split))
        chunks = list(chain.from_iterable(split))
        if not chunks:
            return [""] * len(texts)
        bounds = np.cumsum(counts)  # where each text's chunks end
        # a chunk at the start of a text or of a line follows a sentence start
        lead = np.zeros(len(chunks), dtype=bool)
        lead[(bounds - counts)[counts > 0]] = True
        for i, text in enumerate(texts):
            if "\n" in text and counts[i]:
                at = int(bounds[i] - counts[i])
                for line in text.split("\n"):
                    pieces = len(line.split())
                    if pieces:
                        lead[at] = True
                        at += pieces
        index = table.index
        new = set(chunks).difference(index)
        if new:
            table.add([(c, *self._chunk_entry(c, lang)) for c in sorted(new)])
        ids = np.fromiter(map(index.__getitem__, chunks), dtype=np.int64, count=len(chunks))
        inside = ~lead
        inside[1:] &= ~table.ends[ids[:-1]]
        chosen = ids * 2 + inside  # chunk i: words[2i] after a sentence start, [2i + 1] inside
        sizes = table.sizes[chosen]
        kept = np.flatnonzero(sizes > 1)  # chunks with features (size: length + 1 for a space)
        # one join for the whole batch, cut into texts at character offsets: a chunk's place
        # in it is the sum of the sizes of the kept chunks before it
        joined = " ".join(map(table.words.__getitem__, chosen[kept].tolist()))
        offsets = np.zeros(len(kept) + 1, dtype=np.int64)
        np.cumsum(sizes[kept], out=offsets[1:])
        ends = np.searchsorted(kept, bounds)
        starts = np.zeros_like(ends)
        starts[1:] = ends[:-1]
        # a text without features: its stop (less the space) comes before its start
        return [
            joined[a:b] if b > a else ""
            for a, b in zip(offsets[starts].tolist(), (offsets[ends] - 1).tolist(), strict=True)
        ]

    def _chunk_entry(self, chunk: str, lang: str) -> tuple[str, str, bool]:
        """A chunk's features after a sentence start and inside a sentence, and whether its
        last token ends a sentence.

        A capital inside a sentence marks a name (Nordvik, Storsjø), kept whole, neither
        lemmatised nor split into nord + vik; the token before decides, and inside a chunk
        (no whitespace) that is the token just before. A chunk over LONG_CHUNK characters is
        read as its runs of letters, without spaCy.
        """
        if len(chunk) > LONG_CHUNK:
            words = [f for w in _LETTERS.findall(chunk) for f in self._word(w.lower(), lang, None)]
            return " ".join(words), " ".join(words), False
        texts, tokens = self._token_entries(chunk, lang)
        forms: list[str] = []
        for after_start in (True, False):
            inside = not after_start
            out: list[str] = []
            for i, (kind, features, name) in enumerate(tokens):
                if kind == _CONTENT and not _is_note(texts, i, self.notes):
                    out.append(name if inside and name else features)
                inside = kind != _SENTENCE_START
            forms.append(" ".join(out))
        return forms[0], forms[1], bool(tokens) and tokens[-1][0] == _SENTENCE_START

    def _token_entries(self, piece: str, lang: str) -> tuple[list[str], list[tuple[int, str, str]]]:
        """The tokens of a whitespace-free piece of text, and each as (kind, features, name)."""
        cache = self._tokens.setdefault(lang, {})
        texts = [token.text for token in self.nlp.tokenizer(piece)]
        out: list[tuple[int, str, str]] = []
        for text in texts:
            entry = cache.get(text)
            if entry is None:
                entry = cache[text] = self._entry(text, lang)
            out.append(entry)
        return texts, out

    def _entry(self, text: str, lang: str) -> tuple[int, str, str]:
        """A token form's kind, its features as stored, and its name form (if title case)."""
        lower = text.lower()
        if text in _SENTENCE_STARTS:
            return _SENTENCE_START, "", ""
        if text.isspace():
            return (_SENTENCE_START if "\n" in text else _SPACE), "", ""
        features: tuple[str, ...] = ()
        name = ""
        if lower.isalpha():
            features = self._word(lower, lang, None)
            name = lower if features and text.istitle() and lower not in self.stop else ""
        elif "-" in lower and any(c.isalpha() for c in lower) and not lower[0].isdigit():
            features = self._word(lower, lang, None)
        if not features and not name:
            return _OTHER, "", ""
        return _CONTENT, " ".join(features), name

    def _doc_features_installed(self, doc: Doc, lang: str) -> list[str]:
        out: list[str] = []
        after_stop = True
        texts = [token.text for token in doc]
        for i, token in enumerate(doc):
            if (
                token.is_alpha
                and _is_note(texts, i, self.notes)
                and not (doc[i - 1].whitespace_ or token.whitespace_)
            ):
                pass  # "(pause)", written without spaces as in the chunk reading
            elif token.is_alpha:
                lower = token.lower_
                if token.is_title and not after_stop and lower not in self.stop:
                    out.append(lower)
                else:
                    out.extend(self._word(lower, lang, token.lemma_.lower()))
            elif "-" in token.text and not token.like_num and any(c.isalpha() for c in token.text):
                out.extend(self._word(token.lower_, lang, None))
            after_stop = token.text in _SENTENCE_STARTS
        return out

    def features(self, texts: Sequence[tuple[str, str]]) -> list[str]:
        """Feature strings for a list of (text, language) pairs."""
        found: list[str] = [""] * len(texts)
        by_lang: dict[str, list[int]] = {}
        for i, (_, lang) in enumerate(texts):
            by_lang.setdefault(lang, []).append(i)
        for lang, where in by_lang.items():
            found_lang = self.texts_features([texts[i][0] for i in where], lang)
            for i, text in zip(where, found_lang, strict=True):
                found[i] = text
        return found

    def texts_features(self, texts: Sequence[str], lang: str) -> list[str]:
        """Feature strings for texts of one language (such as an imported document's segments)."""
        if self.own_lemmas:
            # kodebok's lemmatizer needs only the tokenizer, which the chunks go through
            return [
                text
                for start in range(0, len(texts), FEATURE_BATCH)
                for text in self._chunk_features(texts[start : start + FEATURE_BATCH], lang)
            ]
        # an installed pipeline parses the texts (long ones in pieces) with its components
        pieces: list[str] = []
        owners: list[int] = []
        for n, text in enumerate(texts):
            for piece in _pieces(text or ""):
                pieces.append(piece)
                owners.append(n)
        found: list[list[str]] = [[] for _ in texts]
        docs = self.nlp.pipe(pieces, batch_size=BATCH_SIZE, disable=self._disabled())
        for owner, doc in zip(owners, docs, strict=True):
            found[owner].extend(self._doc_features_installed(doc, lang))
        return [" ".join(items) for items in found]

    def _disabled(self) -> list[str]:
        return [name for name in self.nlp.pipe_names if name not in self.components]


class _ChunkTable:
    """Distinct chunks (whitespace-free runs of text) of one language and their features."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}  # chunk → its number
        self.words: list[str] = []  # chunk i: words[2i] after a sentence start, [2i + 1] inside
        self.sizes = np.zeros(0, dtype=np.int64)  # len(words[j]) + 1: the words and a space
        self.ends = np.zeros(0, dtype=bool)  # the chunk's last token ends a sentence

    def add(self, entries: Sequence[tuple[str, str, str, bool]]) -> None:
        """Add (chunk, features after a sentence start, features inside, ends a sentence)."""
        first = len(self.index)
        for n, (chunk, lead, inside, _) in enumerate(entries, start=first):
            self.index[chunk] = n
            self.words.extend((lead, inside))
        added = self.words[2 * first :]
        self.sizes = np.concatenate(
            [self.sizes, np.fromiter(map(len, added), dtype=np.int64, count=len(added)) + 1]
        )
        self.ends = np.concatenate([self.ends, np.array([e[3] for e in entries], dtype=bool)])


def _is_note(texts: Sequence[str], i: int, notes: frozenset[str]) -> bool:
    """Token ``i`` is a transcriber's note of one word in brackets: "(pause)", "[uklart]"."""
    return (
        0 < i < len(texts) - 1
        and texts[i - 1] in ("(", "[")
        and texts[i + 1] in (")", "]")
        and texts[i].lower() in notes
    )


def _pieces(text: str) -> list[str]:
    """A text cut at whitespace into pieces of at most PIECE_CHARS characters."""
    if not text.strip():
        return []
    if len(text) <= PIECE_CHARS:
        return [text]
    out: list[str] = []
    start = 0
    while start < len(text):
        end = min(len(text), start + PIECE_CHARS)
        if end < len(text):
            space = text.rfind(" ", start, end)
            end = space if space > start else end
        out.append(text[start:end])
        start = end
    return out


def text_terms(extractor: FeatureExtractor, text: str, lang: str = "nb") -> Features:
    """Features of a short text such as a code's name or description (same analysis as segments)."""
    return parse_features(extractor.features([(text, lang)])[0])
