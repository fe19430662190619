"""Norwegian word knowledge without spaCy: lemma lookup, dialect mapping, compound splitting.

The dictionaries are simplemma's bokmål (``nb``) and nynorsk (``nn``) form → lemma tables, which
ship inside the PyPI package (nothing is downloaded). Every lookup is cached per (word, language),
so a corpus costs one dictionary probe per distinct word form.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

LANGUAGES = ("nb", "nn")
# Shorter parts are too often dictionary noise ("re", "ut"), giving splits such as for+eldre.
MIN_MODIFIER = 3
MIN_HEAD = 3
MIN_COMPOUND = 7
# Linking elements between compound parts: oppvekst-s-sektor, barn-e-hage.
LINKS = ("s", "e")
# Derivational endings that the dictionary also lists as words: eier-skap, foran-kring.
_NOT_HEADS = frozenset(
    {"skap", "kring", "else", "ning", "dom", "lig", "ende", "het", "inne", "ring", "ort", "ing"}
    | {"tet", "sjon", "ere", "ert", "ens", "ene", "ant", "ent", "ist", "isk", "ell", "lig", "ve"}
    | {"hete", "heten", "leie", "rane"}
)
# Modifiers with these endings take a linking s: styring-s-kort, virksomhet-s-plan.
_LINKING_S_SUFFIXES = ("ing", "het", "else", "sjon", "skap", "tet", "dom", "nad", "tillit")


def _data_lines(name: str) -> list[str]:
    text = resources.files("kodebok.nlp.data").joinpath(name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


@cache
def normalisation_table() -> dict[str, str]:
    """Dialect and nynorsk forms → bokmål lemmas (from ``data/normalise.tsv``)."""
    table: dict[str, str] = {}
    for line in _data_lines("normalise.tsv"):
        form, _, lemma = line.partition("\t")
        if lemma.strip():
            table[form.strip().lower()] = lemma.strip().lower()
    return table


@cache
def stop_words() -> frozenset[str]:
    """Function words: spaCy's ``nb`` stop words and Snowball's Norwegian list (bokmål and
    nynorsk), plus speech fillers and transcript notes, minus domain words (data/*.txt)."""
    from spacy.lang.nb.stop_words import STOP_WORDS  # a plain module: no pipeline is loaded
    from stop_words import get_stop_words

    keep = set(_data_lines("stopwords_keep.txt"))
    extra = set(_data_lines("stopwords_extra.txt"))
    snowball = {w.lower() for w in get_stop_words("norwegian")}
    return frozenset(((set(STOP_WORDS) | snowball) - keep) | extra)


@cache
def transcript_notes() -> frozenset[str]:
    """Words that are no content as a bracketed note of their own: "(pause)", "[uklart]"."""
    return frozenset(_data_lines("transcript_notes.txt"))


@cache
def dictionary(lang: str) -> Mapping[str, str]:
    """simplemma's form → lemma table for ``nb`` or ``nn`` (about 0.8 s to load, once)."""
    from simplemma.strategies.dictionaries.dictionary_factory import DefaultDictionaryFactory

    return DefaultDictionaryFactory().get_dictionary(lang if lang in LANGUAGES else "nb")


@dataclass(frozen=True)
class Analysis:
    """A word's bokmål lemma and, for a compound, its parts (each a lemma)."""

    lemma: str
    parts: tuple[str, ...] = ()


class Lexicon:
    """Lemmatises Norwegian words to bokmål lemmas, splitting compounds, with a cache per word."""

    def __init__(self) -> None:
        self._norm = normalisation_table()
        self._cache: dict[tuple[str, str], Analysis] = {}
        # compound splitting probes the same heads (styring, plan, rapport) again and again
        self._lookups: dict[tuple[str, str, bool], str | None] = {}

    def clear_cache(self) -> None:
        """Forget every analysis (benchmarks measure the cold cost)."""
        self._cache.clear()
        self._lookups.clear()

    @property
    def normalisation(self) -> dict[str, str]:
        """The dialect and nynorsk table in use."""
        return self._norm

    def analyse(self, word: str, lang: str = "nb") -> Analysis:
        """Lemma and compound parts of one lower-case word in a document of language ``lang``."""
        key = (word, lang)
        found = self._cache.get(key)
        if found is None:
            found = self._analyse(word, lang)
            self._cache[key] = found
        return found

    def lemma(self, word: str, lang: str = "nb") -> str:
        """The bokmål lemma of a lower-case word."""
        return self.analyse(word, lang).lemma

    def _analyse(self, word: str, lang: str) -> Analysis:
        mapped = self._norm.get(word)
        if mapped is not None:
            # einingsleiarane → enhetsleder, then split as bokmål: enhet + leder
            split = self.analyse(mapped, "nb").parts if mapped != word else ()
            return Analysis(mapped, split)
        lemma = self._lookup(word, lang)
        if lemma is None and lang != "nn":
            # a nynorsk or dialect form in a bokmål transcript (skule, tilsette, leiaren):
            # focus groups and verbatim transcripts mix them in. Whole words only: compound
            # parts stay bokmål (barne|hage is barn + hage)
            lemma = self._lookup(word, "nn")
        known = lemma is not None
        if lemma is None:
            lemma = word
        parts: tuple[str, ...] = ()
        if len(word) >= MIN_COMPOUND and word.isalpha():
            # a dictionary word is split only into longer parts: barne-hage yes, syk-e-fravær no
            parts = self._split(word, lang, depth=2, shortest=4 if known else MIN_MODIFIER)
            if known and parts and not lemma.endswith(parts[-1]):
                parts = ()  # politikar|ar is no compound: the dictionary lemma says politiker
            if parts and not known:
                # an unknown compound's lemma is its modifier as written + its head's lemma
                lemma = word[: len(word) - len(self._head_form(word, parts[-1], lang))] + parts[-1]
        return Analysis(lemma, parts)

    def _head_form(self, word: str, head_lemma: str, lang: str) -> str:
        """The longest ending of ``word`` whose lemma is ``head_lemma``."""
        for i in range(1, len(word)):
            if self._lookup(word[i:], lang) == head_lemma:
                return word[i:]
        return head_lemma

    def _lookup(self, word: str, lang: str, genitive: bool = True) -> str | None:
        """Dictionary lemma in bokmål, via the dialect table and nynorsk mapping; None if unknown."""
        key = (word, lang, genitive)
        if key in self._lookups:
            return self._lookups[key]
        found = self._lookups[key] = self._lookup_uncached(word, lang, genitive)
        return found

    def _lookup_uncached(self, word: str, lang: str, genitive: bool) -> str | None:
        mapped = self._norm.get(word)
        if mapped is not None:
            return mapped
        nb = dictionary("nb")
        if lang == "nn":
            nn_lemma = dictionary("nn").get(word)
            if nn_lemma is not None:
                return self._nn_to_nb(nn_lemma.lower())
        found = nb.get(word)
        if found is None and genitive and word.endswith("s") and len(word) > 4:
            found = nb.get(word[:-1])  # genitive: kommuneplanens → kommuneplan
        return found.lower() if found is not None else None

    def _nn_to_nb(self, lemma: str) -> str:
        """A nynorsk lemma as its bokmål equivalent where a table entry or a cheap rule finds one."""
        mapped = self._norm.get(lemma)
        if mapped is not None:
            return mapped
        nb = dictionary("nb")
        if nb.get(lemma) == lemma:
            return lemma
        # agent nouns and plurals: innbyggjar → innbygger, lærar → lærer
        for old, new in (("jar", "er"), ("ar", "er"), ("kj", "k")):
            if old in lemma:
                candidate = lemma[::-1].replace(old[::-1], new[::-1], 1)[::-1]
                if nb.get(candidate) == candidate:
                    return candidate
        return lemma

    def _word(self, part: str, lang: str) -> str | None:
        """The lemma of a compound part when it is a content word of the lexicon."""
        lemma = self._lookup(part, lang)
        if lemma is None or lemma in stop_words() or part in stop_words():
            return None
        return lemma

    def _modifier(self, mod: str, lang: str) -> str | None:
        """A modifier as written (compounds use the stem: bruker-, leder-), if it is a word."""
        if mod in stop_words() or self._lookup(mod, lang, genitive=False) is None:
            return None
        mapped = self._norm.get(mod)
        if mapped is not None:
            return mapped
        return self._nn_to_nb(mod) if lang == "nn" else mod

    def _split(self, word: str, lang: str, depth: int, shortest: int) -> tuple[str, ...]:
        """Compound parts (lemmas), most balanced split first; () when no split is safe."""
        best: tuple[int, tuple[str, ...]] | None = None
        for i in range(shortest, len(word) - max(shortest, MIN_HEAD) + 1):
            head_form = word[i:]
            head = None if head_form in _NOT_HEADS else self._word(head_form, lang)
            if head is None or head in _NOT_HEADS or len(head) < shortest:
                continue
            if head is None:
                continue
            modifier = word[:i]
            candidates = [modifier] + [
                modifier[: -len(link)] for link in LINKS if modifier.endswith(link)
            ]
            for mod in candidates:
                if len(mod) < shortest:
                    continue
                mod_lemma = self._modifier(mod, lang)
                if mod_lemma is None:
                    continue
                balance = min(len(mod), len(head_form))
                if mod != modifier and mod.endswith(_LINKING_S_SUFFIXES):
                    balance += 4  # styrings|kort, not styring|skort
                if best is None or balance > best[0]:
                    best = (
                        balance,
                        (
                            *self._subparts(mod, mod_lemma, lang, depth),
                            *self._subparts(head_form, head, lang, depth),
                        ),
                    )
                break
        return best[1] if best is not None else ()

    def _subparts(self, form: str, lemma: str, lang: str, depth: int) -> tuple[str, ...]:
        """A part split further only when it is itself an unknown compound."""
        if depth > 1 and len(form) >= MIN_COMPOUND and self._lookup(form, lang) is None:
            inner = self._split(form, lang, depth - 1, MIN_MODIFIER)
            if inner:
                return inner
        return (lemma,)


@cache
def shared_lexicon() -> Lexicon:
    """One lexicon per process, so its cache serves every document and code."""
    return Lexicon()
