"""Segment features: content-word lemmas in text order, with compound parts marked ``+part``.

The stored form (``segments.lemmas``) is one space-separated string, e.g.
``kommune målindikator +mål +indikator rapportering``: full-text search indexes every word of
it (FTS5 drops the ``+``), and the suggesters read lemmas, parts and bigrams back without
parsing the text again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING, cast

import numpy as np
from numpy.typing import NDArray

from kodebok.nlp.lexicon import Lexicon, shared_lexicon, stop_words

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.strings import StringStore
    from spacy.tokens import Doc

PART = "+"
BATCH_SIZE = 256
# Texts per vectorised step. Only their token hashes are held (each Doc is freed as soon as it
# is read), so the step can be large enough to amortise numpy's per-call cost.
FEATURE_BATCH = 512
# spaCy refuses texts over nlp.max_length; longer segments are cut at whitespace into chunks.
CHUNK_CHARS = 100_000
MIN_LEMMA = 2
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
        # With kodebok's own lemmatizer the lexicon is the lemmatizer, so the pass only needs
        # the tokenizer; an installed pipeline's POS-aware lemmas need its components.
        self.own_lemmas = LEMMATIZER in self.nlp.pipe_names
        self.components = [] if self.own_lemmas else lemma_components(self.nlp)
        self._words: dict[tuple[str, str], tuple[str, ...]] = {}
        self._tables: dict[str, _EntryTable] = {}

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
        """Feature items of one parsed text, in text order (compound parts joined to their word)."""
        if not self.own_lemmas:
            return self._doc_features_installed(doc, lang)
        found = self.batch_features([doc], lang)[0]
        return [found] if found else []

    def batch_features(self, docs: Sequence[Doc], lang: str) -> list[str]:
        """Stored feature strings of parsed texts of one language."""
        if not self.own_lemmas:
            return [" ".join(self._doc_features_installed(d, lang)) for d in docs]
        from spacy.attrs import ORTH

        if not docs:
            return []
        arrays = cast("list[NDArray[np.uint64]]", [d.to_array(ORTH) for d in docs])
        lengths = np.fromiter(map(len, arrays), dtype=np.int64, count=len(arrays))
        return self._hash_features(np.concatenate(arrays), lengths, lang, docs[0].vocab.strings)

    def _tokenised_features(self, texts: Sequence[str], lang: str) -> list[str]:
        """Stored feature strings of texts of one language, tokenised one by one.

        The tokenizer is called directly: with kodebok's lemmatizer no component runs, so
        ``nlp.pipe`` would only add its per-text overhead. Each text is a Doc of its own:
        joined texts would give the same tokens, but spaCy caches a piece's tokens only until
        the first special case (``\\n``, ``f.eks.``) in its Doc, so long Docs miss the cache.
        """
        from spacy.attrs import ORTH

        tokenizer = self.nlp.tokenizer
        arrays = cast("list[NDArray[np.uint64]]", [tokenizer(t).to_array(ORTH) for t in texts])
        if not arrays:
            return []
        lengths = np.fromiter(map(len, arrays), dtype=np.int64, count=len(arrays))
        return self._hash_features(np.concatenate(arrays), lengths, lang, self.nlp.vocab.strings)

    def _hash_features(
        self,
        hashes: NDArray[np.uint64],
        lengths: NDArray[np.int64],
        lang: str,
        strings: StringStore,
    ) -> list[str]:
        """Stored feature strings of texts of one language, given their tokens' ORTH hashes.

        ``hashes`` holds every text's tokens one text after the other, ``lengths`` how many
        each text has. Vectorised over the whole batch: token hashes → entry ids through a
        hash table, names told from sentence starts on the few title-case words only, strings
        picked with ``map``. Python touches each distinct word once, not each token, so the
        pass costs little more than tokenising.
        """
        bounds = np.cumsum(lengths)  # where each text's tokens end
        if not len(lengths) or not bounds[-1]:
            return [""] * len(lengths)
        table = self._tables.get(lang)
        if table is None:
            table = self._tables[lang] = _EntryTable()
        ids = table.ids(hashes, lambda h: self._entry(strings[h], lang))
        kinds = table.kinds[ids]
        content = np.flatnonzero(kinds == _CONTENT)  # token positions, in text order
        chosen = ids[content] * 2  # entry i: words[2i] = features, words[2i + 1] = name
        titled = np.flatnonzero(table.has_name[ids[content]])
        if len(titled):
            # a capital inside a sentence marks a name (Nordvik, Storsjø): kept whole, neither
            # lemmatised nor split into nord + vik. Inside: the token before (spaces skipped)
            # is in the same text and does not end a sentence.
            at = content[titled]
            first = (bounds - lengths)[np.searchsorted(bounds, at, side="right")]
            before = at - 1
            spaces = (before >= first) & (kinds[before] == _SPACE)
            while spaces.any():
                before[spaces] -= 1
                spaces = (before >= first) & (kinds[before] == _SPACE)
            inside = (before >= first) & (kinds[before] != _SENTENCE_START)
            chosen[titled[inside]] += 1
        # one join for the whole batch, cut into texts at character offsets: a word's place
        # in it is the sum of the sizes (length + 1 for the space) of the words before it
        joined = " ".join(map(table.words.__getitem__, chosen.tolist()))
        offsets = np.zeros(len(chosen) + 1, dtype=np.int64)
        np.cumsum(table.sizes[chosen], out=offsets[1:])
        ends = np.searchsorted(content, bounds)
        starts = np.zeros_like(ends)
        starts[1:] = ends[:-1]
        # a text without words: start > stop - 1, an empty slice
        return [
            joined[a:b]
            for a, b in zip(offsets[starts].tolist(), (offsets[ends] - 1).tolist(), strict=True)
        ]

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
        texts: list[str] = []
        langs: list[str] = []
        owners: list[int] = []
        n = 0
        for n, (text, lang) in enumerate(items, start=1):
            for chunk in _chunks(text or ""):
                texts.append(chunk)
                langs.append(lang)
                owners.append(n - 1)
        collected: list[str] = [""] * n
        # an installed pipeline parses the texts; kodebok's lemmatizer needs only the tokenizer
        docs: Iterator[Doc] = (
            iter(())
            if self.own_lemmas
            else self.nlp.pipe(texts, batch_size=BATCH_SIZE, disable=self._disabled())
        )
        for start in range(0, len(texts), FEATURE_BATCH):
            end = min(len(texts), start + FEATURE_BATCH)
            found = self._next_features(docs, texts[start:end], langs[start:end])
            for owner, text in zip(owners[start:end], found, strict=True):
                # a segment cut into chunks gets its chunks' features one after the other
                collected[owner] = (
                    f"{collected[owner]} {text}".strip() if collected[owner] else text
                )
            if progress is not None:
                progress(owners[end - 1])
        yield from collected

    def _next_features(
        self, docs: Iterator[Doc], texts: Sequence[str], langs: Sequence[str]
    ) -> list[str]:
        """Feature strings of the next texts, each of its own language.

        With an installed pipeline they are read from ``docs``; with kodebok's lemmatizer
        only the tokenizer is needed, and the texts are tokenised here.
        """
        if not self.own_lemmas:
            return [
                " ".join(self._doc_features_installed(doc, lang))
                for doc, lang in zip(islice(docs, len(langs)), langs, strict=True)
            ]
        found: list[str] = []
        run = 0
        while run < len(langs):  # runs of one language (usually the whole batch is one run)
            lang = langs[run]
            stop = run + 1
            while stop < len(langs) and langs[stop] == lang:
                stop += 1
            found.extend(self._tokenised_features(texts[run:stop], lang))
            run = stop
        return found

    def features(self, texts: Sequence[tuple[str, str]]) -> list[str]:
        """Feature strings for a list of (text, language) pairs."""
        if texts and self.own_lemmas:
            lang = texts[0][1]
            if all(item[1] == lang for item in texts):
                return self.texts_features([item[0] for item in texts], lang)
        return list(self.pipe(texts))

    def texts_features(self, texts: Sequence[str], lang: str) -> list[str]:
        """Feature strings for texts of one language (such as an imported document's segments).

        The same strings as ``features``, with less work per text when each is short enough
        to be tokenised whole: no chunks to put together again.
        """
        if not self.own_lemmas or any(len(t) > CHUNK_CHARS for t in texts):
            return list(self.pipe((t, lang) for t in texts))
        # blank texts (no tokens to read) are left out: str.isspace() is ``not text.strip()``
        kept = [t for t in texts if t and not t.isspace()]
        found: list[str] = []
        for start in range(0, len(kept), FEATURE_BATCH):
            found.extend(self._tokenised_features(kept[start : start + FEATURE_BATCH], lang))
        if len(kept) == len(texts):
            return found
        given = iter(found)
        return [next(given) if t and not t.isspace() else "" for t in texts]

    def _disabled(self) -> list[str]:
        return [name for name in self.nlp.pipe_names if name not in self.components]


class _EntryTable:
    """Distinct token forms of one language: token hash → entry id → kind, words, name.

    The hash → entry id index is an open-addressing table (linear probing, at most a quarter
    full) held in numpy arrays, so a whole batch of tokens is looked up in a few array
    operations instead of a binary search per token.
    """

    def __init__(self) -> None:
        self.slot_keys = np.zeros(1024, dtype=np.uint64)  # token hash in each slot
        self.slot_ids = np.full(1024, -1, dtype=np.int64)  # entry id in each slot, -1 if free
        self.kinds = np.zeros(0, dtype=np.int8)
        self.has_name = np.zeros(0, dtype=bool)
        self.words: list[str] = []  # entry i: words[2i] = features, words[2i + 1] = name
        self.sizes = np.zeros(0, dtype=np.int64)  # len(words[j]) + 1: the word and a space

    def ids(
        self, hashes: NDArray[np.uint64], make: Callable[[int], tuple[int, str, str]]
    ) -> NDArray[np.int64]:
        """Entry ids of token hashes, making entries for hashes not seen before."""
        found = self._find(hashes)
        unknown = found < 0
        if unknown.any():
            new = np.unique(hashes[unknown])
            kinds, names = [], []
            for h in new.tolist():
                kind, features, name = make(h)
                kinds.append(kind)
                names.append(bool(name))
                self.words.extend((features, name))
            first = len(self.kinds)
            added = self.words[2 * first :]
            self.sizes = np.concatenate(
                [self.sizes, np.fromiter(map(len, added), dtype=np.int64, count=len(added)) + 1]
            )
            self.kinds = np.concatenate([self.kinds, np.array(kinds, dtype=np.int8)])
            self.has_name = np.concatenate([self.has_name, np.array(names, dtype=bool)])
            self._insert(new, np.arange(first, first + len(new), dtype=np.int64))
            found[unknown] = self._find(hashes[unknown])
        return found

    def _find(self, hashes: NDArray[np.uint64]) -> NDArray[np.int64]:
        """Entry id of each hash, -1 where the table has none."""
        mask = len(self.slot_keys) - 1
        slots = (hashes & np.uint64(mask)).view(np.int64)  # below 2**63: same numbers, no copy
        found = self.slot_ids[slots]  # right where the hash is in its own slot
        todo = np.flatnonzero(self.slot_keys[slots] != hashes)
        while len(todo):
            # the slot is free (the hash is not in the table: found is -1) or holds another
            # hash: probe the next slot
            at = slots[todo]
            taken = self.slot_ids[at] >= 0
            todo, at = todo[taken], (at[taken] + 1) & mask
            slots[todo] = at
            found[todo] = self.slot_ids[at]
            todo = todo[self.slot_keys[at] != hashes[todo]]
        return found

    def _insert(self, hashes: NDArray[np.uint64], ids: NDArray[np.int64]) -> None:
        """Add hashes (none of them in the table yet) with their entry ids."""
        taken = int(np.count_nonzero(self.slot_ids >= 0))
        if 4 * (taken + len(hashes)) > len(self.slot_keys):
            size = len(self.slot_keys)
            while 4 * (taken + len(hashes)) > size:
                size *= 2
            old = self.slot_ids >= 0
            keys, values = self.slot_keys[old], self.slot_ids[old]
            self.slot_keys = np.zeros(size, dtype=np.uint64)
            self.slot_ids = np.full(size, -1, dtype=np.int64)
            hashes, ids = np.concatenate([keys, hashes]), np.concatenate([values, ids])
        mask = len(self.slot_keys) - 1
        slot_ids = self.slot_ids
        for h, entry in zip(hashes.tolist(), ids.tolist(), strict=True):
            slot = h & mask
            while slot_ids[slot] >= 0:
                slot = (slot + 1) & mask
            self.slot_keys[slot] = h
            slot_ids[slot] = entry


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
