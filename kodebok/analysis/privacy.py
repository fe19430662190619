"""Finding likely personal data in text, and applying a pseudonymisation map (pure functions).

Detection is deliberately generous (recall first): it lists candidates for a researcher to
review, from the union of

- patterns: e-mail, phone numbers (8 digits in the usual groupings, ``+47``), fødselsnummer
  (11 digits whose two mod-11 check digits hold), birth dates, street addresses with a number
  (``Fjellvegen 12B``), postcodes with a place (``7030 Trondheim``);
- gazetteers: common Norwegian first names and surnames and the kommuner, in any case
  (``ole hansen``, ``SIGRID BAKKEN``), and a lone known first name;
- capitalisation: a capitalised word that is no Norwegian dictionary word, with its
  capitalised neighbours (``Jens Stoltenberg``), and a name before ``skole``, ``barnehage``,
  ``AS`` … (an employer or school);
- the project's own names (cases, the pseudonym map);
- named entities from a trained pipeline, when the caller has them.

Overlapping candidates become one finding over their union; ``source`` lists every source that
found it (``pattern:phone``, ``gazetteer``, ``capitalisation``, ``ner:PER``, ``project`` …).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources


@dataclass(frozen=True)
class Finding:
    """One likely piece of personal data in a text."""

    # email | phone | birthdate | national-id | address | postcode | person | place | org |
    # name (a name of unknown kind) | case (a case of the project) | other (the pseudonym map)
    kind: str
    match: str
    start: int
    end: int
    line: int
    reason: str
    source: str = ""


@dataclass(frozen=True)
class Gazetteers:
    """Name lists used by the detector."""

    first_names: frozenset[str]
    surnames: frozenset[str]
    places: frozenset[str]


# Place names that are also ordinary words; counted only inside a sentence, never at its start.
_AMBIGUOUS_PLACES = frozenset(
    {
        "Time",
        "Fjord",
        "Heim",
        "Strand",
        "Lund",
        "Os",
        "Nes",
        "Bø",
        "Vik",
        "Sande",
        "Hole",
        "Gran",
        "Lom",
        "Vang",
        "Sel",
        "Vega",
        "Rana",
        "Alver",
        "Kinn",
        "Stad",
        "Grane",
        "Frosta",
        "Lier",
        "Moss",
        "Ål",
        "Herøy",
        "Våler",
        "Hamar",
        "Fauske",
        "Modum",
        "Bamble",
    }
)

# Kinds that are names (replaced by "Person n", "Sted n" …) and kinds that are contact data
# or identifiers (replaced by a bracketed placeholder).
NAME_KINDS = ("person", "place", "org", "name", "case", "other")
_ORDER = {
    "national-id": 0,
    "email": 1,
    "phone": 2,
    "birthdate": 3,
    "address": 4,
    "postcode": 5,
    "case": 6,
    "person": 7,
    "org": 8,
    "place": 9,
    "other": 10,
    "name": 11,
}

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_PHONE = re.compile(
    r"(?<![\w.,/:=-])(?:(?:\+|00)47[ ]?)?"
    r"(?:\d{2}[ ]\d{2}[ ]\d{2}[ ]\d{2}|\d{3}[ ]\d{2}[ ]\d{3}|\d{4}[ ]\d{4}|[2-9]\d{7})"
    r"(?![\w-]|[.,:]\d)"
)
_MONTHS = (
    "januar|februar|mars|april|mai|juni|juli|august|september|oktober|november|desember|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|okt|nov|des"
)
_DATE = rf"(?:\d{{1,2}}\.\s?\d{{1,2}}\.\s?\d{{2,4}}|\d{{1,2}}\.?\s(?:{_MONTHS})\.?\s\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}})"
_BIRTH = re.compile(
    rf"\b(?:født|fødd|f\.|fødselsdato:?|fødselsdag:?|bursdag:?)\s*(?:den\s+|i\s+)?"
    rf"(?:{_DATE}|\d{{4}}\b)",
    re.IGNORECASE,
)
# a bare date in the 1900s: in an interview, most likely somebody's birth date
_OLD_DATE = re.compile(r"(?<![\d.])\d{1,2}\.\s?\d{1,2}\.\s?19\d{2}(?!\d)")
_NATIONAL_ID = re.compile(r"(?<![\d.,-])(\d{6})[ ]?(\d{5})(?![\d-]|[.,]\d)")
_STREET_WORDS = (
    "vegen|veien|vei|veg|gata|gate|gaten|gt\\.|allé|alle|alléen|plass|bakken|bakke|stien|sti|"
    "svingen|lia|li|tunet|ringen|brygga|brygge|torget|kroken|haugen|åsen|jordet|løkka|"
    "lunden|vollen|tangen|hagen|myra|vika|bekken|kaia|kaien|sletta|toppen|jordet"
)
_ADDRESS = re.compile(
    rf"(?<![\w-])(?:[A-ZÆØÅ][\wæøåÆØÅ.-]*\s(?:{_STREET_WORDS})|"
    rf"[A-Za-zÆØÅæøå][\wæøåÆØÅ-]*?(?:{_STREET_WORDS}))"
    r"\s\d{1,4}(?:\s?[A-Ha-h](?![\wæøå]))?(?!\d)",
    re.IGNORECASE,
)
_POSTCODE = re.compile(r"(?<![\d.,:-])(\d{4})\s+([A-ZÆØÅ][\wæøåÆØÅ-]+)")
_WORD = re.compile(r"[^\W\d_][\w'’-]*")

# Nouns that make the capitalised words before them a workplace or school ("Bakkeli skole").
_INSTITUTIONS = frozenset(
    {
        "skole",
        "skule",
        "barneskole",
        "ungdomsskole",
        "ungdomsskule",
        "barneskule",
        "oppvekstsenter",
        "vgs",
        "videregående",
        "barnehage",
        "barnehagen",
        "sykehjem",
        "sjukeheim",
        "omsorgssenter",
        "helsesenter",
        "legekontor",
        "legesenter",
        "sykehus",
        "sjukehus",
        "bibliotek",
        "menighet",
        "kirke",
        "idrettslag",
        "kommune",
        "fylkeskommune",
        "bedrift",
        "sparebank",
        "hotell",
        "universitet",
        "høgskole",
        "høgskule",
    }
)


# Company forms, in capitals only: "sa" and "da" are also words ("sa han", "da vi kom").
_COMPANY_FORMS = frozenset({"AS", "ASA", "SA", "ANS", "DA", "IL", "BA", "SF"})


def _institution(word: str) -> bool:
    return word in _COMPANY_FORMS or word.lower() in _INSTITUTIONS


def _read_list(name: str) -> frozenset[str]:
    text = resources.files("kodebok.data.gazetteers").joinpath(name).read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip())


@lru_cache(maxsize=1)
def load_gazetteers() -> Gazetteers:
    """The shipped gazetteers (read once)."""
    return Gazetteers(
        _read_list("fornavn.txt"), _read_list("etternavn.txt"), _read_list("kommuner.txt")
    )


class Vocabulary:
    """What the detector knows about ordinary words: simplemma's bokmål and nynorsk forms,
    spaCy's stop words and compounds of dictionary words; the dictionary's proper nouns
    (``Norge``, ``Elise``) are names."""

    def __init__(self) -> None:
        from kodebok.nlp.lexicon import dictionary, shared_lexicon, stop_words

        self._nb, self._nn, self._stop = dictionary("nb"), dictionary("nn"), stop_words()
        self._lexicon = shared_lexicon()
        self._known: dict[str, bool] = {}

    def ordinary(self, word: str) -> bool:
        """Whether a lower-case word is an ordinary Norwegian word (or a compound of them)."""
        found = self._known.get(word)
        if found is None:
            found = self._known[word] = self._ordinary(word)
        return found

    def _ordinary(self, word: str) -> bool:
        if word in self._nb or word in self._nn or word in self._stop:
            return True
        if len(word) > 4 and word.endswith("s") and word[:-1] in self._nb:
            return True  # genitive: kommunens
        return bool(self._lexicon.analyse(word).parts)

    def plain(self, word: str) -> bool:
        """Whether a lower-case word is in the dictionaries as it is (no compound analysis)."""
        return word in self._nb or word in self._nn or word in self._stop

    def proper(self, word: str) -> bool:
        """Whether the dictionary has ``word`` as written as a proper noun (``Norge``, ``USA``)."""
        lemma = self._nb.get(word)
        return lemma is not None and lemma[:1].isupper()


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    """The shared vocabulary (loaded once, about 1 s)."""
    return Vocabulary()


def _line_starts(text: str) -> list[int]:
    starts = [0]
    starts.extend(i + 1 for i, ch in enumerate(text) if ch == "\n")
    return starts


# What may stand between a line's start and its first word: timestamps, brackets, list marks,
# Markdown emphasis ("[00:15:49] Intervjuar:", "**Utvalsleiar:**", "- ", "> ").
_LINE_LEAD = re.compile(r"[\s\[\]()*#>|\-–\"«\d:.,]*")
# A note in brackets after a sentence ("(pause)", "[latter]") leaves the next word sentence-initial.
_SPEAKER_END = re.compile(r"\s*(?:\([\d:.,\s]+\)\s*)?\**:|\]")
_TRAILING_NOTE = re.compile(r"\s*[(\[][^()\[\]\n]{1,30}[)\]]\s*$")


_OPENING_QUOTES = ("«", "“", "„")


def _sentence_initial(text: str, pos: int) -> bool:
    line_start = text.rfind("\n", 0, pos) + 1
    if _LINE_LEAD.fullmatch(text, line_start, pos):
        return True
    before = text[line_start:pos]
    while True:
        note = _TRAILING_NOTE.search(before)
        if note is None:
            break
        before = before[: note.start()]
    spaced = before.rstrip(" \t")
    if spaced.endswith(_OPENING_QUOTES):
        return True  # the first word of a quotation («Er du fornøgd …») starts a sentence
    # a quotation's closing mark stands between a sentence's end and the next one (".» Det")
    before = before.rstrip(' \t"«»“”’(*-–>#')
    # a table cell (" | " in Markdown and in the text of a CSV or spreadsheet) starts afresh
    return not before or before[-1] in ".!?:;|\n" or before.endswith(("I:", "IP:"))


def valid_national_id(digits: str) -> bool:
    """Whether 11 digits are a fødselsnummer (or D-/H-number): a date and two mod-11 checks."""
    if len(digits) != 11 or not digits.isdigit():
        return False
    d = [int(c) for c in digits]
    day, month = d[0] * 10 + d[1], d[2] * 10 + d[3]
    if day > 40:
        day -= 40  # D-number
    if month > 40:
        month -= 40  # H-number
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return False
    for weights, at in (((3, 7, 6, 1, 8, 9, 4, 5, 2), 9), ((5, 4, 3, 2, 7, 6, 5, 4, 3, 2), 10)):
        check = 11 - sum(w * x for w, x in zip(weights, d, strict=False)) % 11
        check = 0 if check == 11 else check
        if check == 10 or check != d[at]:
            return False
    return True


def _title(word: str) -> str:
    return "-".join(p[:1].upper() + p[1:].lower() for p in word.split("-"))


@dataclass
class _Candidate:
    kind: str
    start: int
    end: int
    reason: str
    source: str


def _pattern_candidates(text: str, vocab: Vocabulary) -> list[_Candidate]:
    out: list[_Candidate] = []
    for m in _EMAIL.finditer(text):
        out.append(_Candidate("email", m.start(), m.end(), "e-postadresse", "pattern:email"))
    for m in _NATIONAL_ID.finditer(text):
        if valid_national_id(m.group(1) + m.group(2)):
            out.append(
                _Candidate(
                    "national-id",
                    m.start(),
                    m.end(),
                    "fødselsnummer (kontrollsifrene stemmer)",
                    "pattern:national-id",
                )
            )
    for m in _PHONE.finditer(text):
        out.append(_Candidate("phone", m.start(), m.end(), "telefonnummer", "pattern:phone"))
    for m in _BIRTH.finditer(text):
        out.append(_Candidate("birthdate", m.start(), m.end(), "fødselsdato", "pattern:birthdate"))
    for m in _OLD_DATE.finditer(text):
        out.append(
            _Candidate(
                "birthdate", m.start(), m.end(), "dato (kan være en fødselsdato)", "pattern:date"
            )
        )
    for m in _ADDRESS.finditer(text):
        out.append(_Candidate("address", m.start(), m.end(), "gateadresse", "pattern:address"))
    for m in _POSTCODE.finditer(text):
        place = m.group(2)
        if (
            place.isupper()
            or not vocab.ordinary(place.lower())
            or _title(place) in load_gazetteers().places
        ):
            out.append(
                _Candidate("postcode", m.start(), m.end(), "postnummer og sted", "pattern:postcode")
            )
    return out


def _name_candidates(
    text: str, gaz: Gazetteers, vocab: Vocabulary, allowed: frozenset[str] = frozenset()
) -> list[_Candidate]:
    """Names from gazetteers and capitalisation, one candidate per run of adjacent words."""
    words = list(_WORD.finditer(text))
    out: list[_Candidate] = []
    i = 0
    while i < len(words):
        w = words[i].group(0)
        lower = w.islower()
        # a run: adjacent words (one space apart) written alike (capitalised, or lower case)
        j = i + 1
        while j < len(words) and text[words[j - 1].end() : words[j].start()] == " ":
            nxt = words[j].group(0)
            if lower != nxt.islower():
                break
            j += 1
        run = words[i:j]
        if lower:
            out.extend(_lowercase_names(text, run, gaz, vocab))
        else:
            found = _capitalised_run(text, run, gaz, vocab, allowed)
            if found is not None:
                # "Bakkeli skole", "Hansen Bygg AS": a workplace or school
                nxt_word = words[j].group(0) if j < len(words) else ""
                if (
                    j < len(words)
                    and text[words[j - 1].end() : words[j].start()] == " "
                    and _institution(nxt_word)
                    and found.end == run[-1].end()
                ):
                    found = _Candidate(
                        "org",
                        found.start,
                        words[j].end(),
                        f"navn på arbeidssted eller skole ({nxt_word})",
                        found.source,
                    )
                out.append(found)
        i = j
    return out


def _lowercase_names(
    text: str, run: list[re.Match[str]], gaz: Gazetteers, vocab: Vocabulary
) -> list[_Candidate]:
    """``ole hansen`` (a first name and a surname), a lone first name or place that is no
    ordinary word (``sigrid``, ``trondheim``)."""
    out: list[_Candidate] = []
    k = 0
    while k < len(run):
        w = run[k].group(0)
        t = _title(w)
        if t in gaz.first_names:
            end = k + 1
            while end < len(run) and _title(run[end].group(0)) in (gaz.surnames | gaz.first_names):
                end += 1
            if end > k + 1 and _title(run[end - 1].group(0)) in gaz.surnames:
                out.append(
                    _Candidate(
                        "person",
                        run[k].start(),
                        run[end - 1].end(),
                        "fornavn og etternavn (små bokstaver)",
                        "gazetteer",
                    )
                )
                k = end
                continue
            if not vocab.ordinary(w) and len(w) >= 3:
                out.append(
                    _Candidate(
                        "person", run[k].start(), run[k].end(), "vanlig fornavn", "gazetteer"
                    )
                )
        elif (t in gaz.surnames or t in gaz.places) and not vocab.ordinary(w) and len(w) >= 4:
            kind = "person" if t in gaz.surnames else "place"
            out.append(
                _Candidate(
                    kind,
                    run[k].start(),
                    run[k].end(),
                    "etternavn" if kind == "person" else "kommunenavn",
                    "gazetteer",
                )
            )
        k += 1
    return out


def _capitalised_run(  # noqa: C901 - one pass of ordered rules; each branch is one rule
    text: str,
    run: list[re.Match[str]],
    gaz: Gazetteers,
    vocab: Vocabulary,
    allowed: frozenset[str] = frozenset(),
) -> _Candidate | None:
    """One candidate for a run of capitalised (or upper-case) words, or None.

    Inside a sentence a capital marks a name (Norwegian capitalises little else); at a
    sentence start only a gazetteer name, a proper noun of the dictionary or a word that is
    no dictionary word does. Acronyms (``NAV``, ``IKT``) count only when they are names.
    """
    initial = _sentence_initial(text, run[0].start())
    any_known = any(
        _title(m.group(0)) in gaz.first_names or _title(m.group(0)) in gaz.surnames for m in run
    )
    flags = []
    for k, m in enumerate(run):
        w = m.group(0)
        t = _title(w)
        first, sur, place = t in gaz.first_names, t in gaz.surnames, t in gaz.places
        if "-" in w and not first:
            first = any(part in gaz.first_names for part in t.split("-"))  # Odd-Bjørn
        if (len(w) == 1 and len(run) == 1) or (
            "-" in w
            and any(len(p) > 1 and p.isupper() for p in w.split("-"))
            and all(p.isupper() or vocab.ordinary(p.lower()) for p in w.split("-") if p)
        ):
            ordinary = True  # a speaker letter ("R:"), "KOSTRA-analyse"
        elif w.isupper() and not (first or sur or place):
            # an acronym (NAV, IKT) is no name; a word in capitals next to a known name is
            # ("SIGRID BAKKEN")
            ordinary = not (vocab.proper(w) or (len(w) > 1 and vocab.proper(t))) and not (
                len(run) > 1 and not vocab.ordinary(w.lower()) and any_known
            )
        elif w.casefold() in allowed or (
            text.startswith(" ", m.end())
            and text[m.end() + 1 : m.end() + 2].isdigit()
            and vocab.plain(w.lower())
        ):
            ordinary = True  # a word of the project's own (a code), a label ("Person 3")
        elif k == 0 and initial:
            # next to another capitalised word only a dictionary word as such is ordinary
            # ("Hallgeir H."); alone, a compound of dictionary words is too ("Honnørordene")
            known = vocab.plain(w.lower()) if len(run) > 1 else vocab.ordinary(w.lower())
            ordinary = known and not vocab.proper(w)
        else:
            # a capital inside a sentence marks a name, even on a dictionary word ("Gross",
            # "Tone"): on NorNE's dev sentences this finds 3 points more persons and 4 more
            # places at the same share of false alarms
            ordinary = False
        flags.append({"first": first, "sur": sur, "place": place, "word": ordinary})

    def name_like(k: int) -> bool:
        f = flags[k]
        return bool(f["first"] or f["sur"] or f["place"] or not f["word"])

    lo, hi = 0, len(run)
    while lo < hi and not name_like(lo):
        lo += 1
    while hi > lo and not name_like(hi - 1):
        hi -= 1
    if lo >= hi:
        return None
    part = flags[lo:hi]
    single = hi - lo == 1
    starts_sentence = initial and lo == 0
    w0 = run[lo].group(0)
    if single and starts_sentence and vocab.ordinary(w0.lower()) and not vocab.proper(w0):
        # an ordinary word at a sentence start ("Liv", "Time", "Strand") says nothing
        return None
    if single and part[0]["place"] and starts_sentence and w0 in _AMBIGUOUS_PLACES:
        return None
    if (
        _LINE_LEAD.fullmatch(text, text.rfind("\n", 0, run[lo].start()) + 1, run[lo].start())
        and _SPEAKER_END.match(text, run[hi - 1].end())
        and not any(p["first"] or p["sur"] or p["place"] for p in part)
    ):
        return None  # a speaker label that is no known name ("Tillitsvald:", "[Rektor]")
    has_first = any(p["first"] for p in part)
    has_sur = any(p["sur"] for p in part)
    has_place = any(p["place"] for p in part)
    if not single and _institution(run[hi - 1].group(0)):
        kind, reason, source = "org", "navn på arbeidssted eller skole", "capitalisation"
    elif has_first and not single:
        kind, reason, source = "person", "fornavn og etternavn", "gazetteer"
    elif has_first:
        kind, reason, source = "person", "vanlig fornavn", "gazetteer"
    elif has_sur and not (has_place and single):
        kind, reason, source = "person", "etternavn", "gazetteer"
    elif has_place:
        kind, reason, source = "place", "kommunenavn", "gazetteer"
    else:
        kind, reason, source = "name", "navn (stor forbokstav, ikke et ordbokord)", "capitalisation"
    return _Candidate(kind, run[lo].start(), run[hi - 1].end(), reason, source)


def _known_candidates(text: str, known: Mapping[str, str], vocab: Vocabulary) -> list[_Candidate]:
    out: list[_Candidate] = []
    for name, kind in known.items():
        if len(name) < 2:
            continue
        # long names in any case (NORDVIK, nordvik); short ones, and a name that is also an
        # ordinary word ("Andre", "Kommunen" taken for names once), only as written: the map
        # must not turn every "andre" and "kommunen" of a text into a placeholder
        ordinary = " " not in name and vocab.plain(name.lower())
        flags = re.IGNORECASE if len(name) >= 4 and not ordinary else 0
        for m in re.finditer(r"(?<!\w)" + re.escape(name) + r"(?!\w)", text, flags):
            out.append(
                _Candidate(
                    kind if kind in _ORDER else "other",
                    m.start(),
                    m.end(),
                    f"navn i prosjektet ({kind})",
                    "project",
                )
            )
    return out


_NER_KINDS = {
    "PER": "person",
    "PERSON": "person",
    "LOC": "place",
    "GPE_LOC": "place",
    "GPE": "place",
    "ORG": "org",
    "GPE_ORG": "org",
}


def find_personal_data(
    text: str,
    gazetteers: Gazetteers | None = None,
    known: Mapping[str, str] | None = None,
    entities: Iterable[tuple[int, int, str]] = (),
    vocab: Vocabulary | None = None,
    allowed: Iterable[str] = (),
) -> list[Finding]:
    """Likely personal data in ``text``.

    ``known`` maps project names (cases …) to their kind; ``entities`` are (start, end, label)
    from a named-entity recogniser; ``vocab`` tells ordinary words from names (default: the
    Norwegian dictionary); ``allowed`` are words that are never a name here (code names).
    """
    gaz = gazetteers or load_gazetteers()
    word = vocab or vocabulary()
    candidates = _pattern_candidates(text, word)
    candidates += _known_candidates(text, known or {}, word)
    folded = frozenset(w.casefold() for w in allowed)
    for start, end, label in entities:
        kind = _NER_KINDS.get(label)
        if kind is None:
            continue
        start, end = _trimmed(text, start, end)
        if end > start and not _placeholder(text[start:end], folded, word):
            if _markup_or_word(text, start, end, gaz, word):
                continue
            candidates.append(
                _Candidate(kind, start, end, f"navnegjenkjenning ({label})", f"ner:{label}")
            )
    candidates += _name_candidates(text, gaz, word, folded)
    candidates += _repeated_names(text, candidates, gaz, word)
    return _merge(text, candidates)


_NAME_SOURCES = ("gazetteer", "capitalisation", "ner:", "project")


def _repeated_names(
    text: str, candidates: list[_Candidate], gaz: Gazetteers, vocab: Vocabulary
) -> list[_Candidate]:
    """A name found once is a name everywhere in the text: "Vi snakket med Bøgard. Bøgard
    sa …" (the second at a sentence start, where a capital alone says nothing)."""
    names: dict[str, str] = {}
    for c in candidates:
        if c.kind not in NAME_KINDS or not c.source.startswith(_NAME_SOURCES):
            continue
        for m in _WORD.finditer(text, c.start, c.end):
            w = m.group(0)
            # not a name that is also a word ("Liv"): at a sentence start it may be the word
            if w[:1].isupper() and len(w) > 2 and not vocab.plain(w.lower()):
                names.setdefault(w, c.kind)
    if not names:
        return []
    covered = sorted((c.start, c.end) for c in candidates)
    starts = [s for s, _ in covered]
    out: list[_Candidate] = []
    pattern = re.compile(
        r"(?<![\w-])("
        + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
        + r")(?![\w-])"
    )
    for m in pattern.finditer(text):
        k = bisect.bisect_right(starts, m.start()) - 1
        if k >= 0 and covered[k][1] > m.start():
            continue
        out.append(
            _Candidate(
                names[m.group(1)],
                m.start(),
                m.end(),
                "samme navn som andre steder i teksten",
                "repeated",
            )
        )
    return out


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """An entity's span without surrounding space, markup and anything after a line break."""
    part = text[start:end]
    cut = part.find("\n")
    if cut >= 0:
        end = start + cut
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum():
        end -= 1
    return start, end


def _markup_or_word(text: str, start: int, end: int, gaz: Gazetteers, vocab: Vocabulary) -> bool:
    """Whether a recogniser's entity is no name: a speaker label ("Intervjuer:",
    "SPEAKER_00:"), a single letter, an abbreviation of at most three capitals ("IP", "R"),
    a heading or sentence start that is a dictionary word ("# Sitater"), or ordinary words in
    lower case ("hjemmetjenesten")."""
    span = text[start:end]
    words = _WORD.findall(span)
    if not words or len(span) < 2:
        return True
    if any(_title(w) in gaz.first_names or _title(w) in gaz.surnames for w in words):
        return False
    if len(words) == 1:
        w = words[0]
        if w.isupper() and len(w) <= 3 and not vocab.proper(w):
            return True
        if _sentence_initial(text, start) and vocab.plain(w.lower()) and not vocab.proper(w):
            return True
    line_start = text.rfind("\n", 0, start) + 1
    if _LINE_LEAD.fullmatch(text, line_start, start) and _SPEAKER_END.match(text, end):
        return True
    return all(w.islower() and vocab.ordinary(w) for w in words)


_LABEL = re.compile(r"\[[^\]]*\]|[^\W\d_]+(?: \d+)?")


def _placeholder(span: str, allowed: frozenset[str], vocab: Vocabulary) -> bool:
    """Whether an entity is a pseudonym or placeholder ("Person 3", "[telefon]", a word of
    the project's pseudonyms): a recogniser takes "Person 3" for a person."""
    parts = _LABEL.findall(span.strip())
    if not parts or "".join(parts).replace(" ", "") != span.replace(" ", "").strip():
        return False
    for part in parts:
        if part.startswith("["):
            continue
        word = part.split(" ")[0]
        numbered = " " in part and vocab.plain(word.lower())
        if not numbered and word.casefold() not in allowed:
            return False
    return True


def _merge(text: str, candidates: list[_Candidate]) -> list[Finding]:
    """Overlapping candidates as one finding over their union, kind of the most specific one."""
    lines = _line_starts(text)
    out: list[Finding] = []
    group: list[_Candidate] = []
    end = -1

    def flush() -> None:
        if not group:
            return
        best = min(group, key=lambda c: (_ORDER.get(c.kind, 99), -(c.end - c.start)))
        start, stop = min(c.start for c in group), max(c.end for c in group)
        sources: list[str] = []
        for c in sorted(group, key=lambda c: _ORDER.get(c.kind, 99)):
            if c.source not in sources:
                sources.append(c.source)
        out.append(
            Finding(
                best.kind,
                text[start:stop],
                start,
                stop,
                bisect.bisect_right(lines, start),
                best.reason,
                "+".join(sources),
            )
        )

    for c in sorted(candidates, key=lambda c: (c.start, -c.end)):
        if c.start < end:
            group.append(c)
            end = max(end, c.end)
            continue
        flush()
        group, end = [c], c.end
    flush()
    return out


# -- applying the findings ----------------------------------------------------------------

# Contact data and identifiers become a bracketed placeholder; names get a numbered pseudonym.
PLACEHOLDERS = {
    "email": "[e-post]",
    "phone": "[telefon]",
    "national-id": "[fødselsnummer]",
    "birthdate": "[fødselsdato]",
    "address": "[adresse]",
    "postcode": "[postnummer og sted]",
}
# The stem of the numbered pseudonym of a name of each kind, and its kind in the map.
PSEUDONYM_STEMS = {
    "person": ("Person", "person"),
    "place": ("Sted", "place"),
    "org": ("Virksomhet", "other"),
    "name": ("Navn", "other"),
    "case": ("Kommune", "case"),
    "other": ("Navn", "other"),
}


def replace_spans(
    text: str, spans: Iterable[tuple[int, int, str]]
) -> tuple[str, list[tuple[int, int, int, int]]]:
    """``text`` with each (start, end, replacement) applied (non-overlapping, any order).

    Returns the new text and the edits as (old start, old end, new start, new end), in order,
    for remapping offsets (``remap_offset``).
    """
    parts: list[str] = []
    edits: list[tuple[int, int, int, int]] = []
    pos = 0
    shift = 0
    for start, end, new in sorted(spans):
        if start < pos:
            continue  # overlapping: the earlier one wins
        parts.append(text[pos:start])
        parts.append(new)
        edits.append((start, end, start + shift, start + shift + len(new)))
        shift += len(new) - (end - start)
        pos = end
    parts.append(text[pos:])
    return "".join(parts), edits


def remap_offset(offset: int, edits: list[tuple[int, int, int, int]], *, is_end: bool) -> int:
    """Where ``offset`` of the old text lies in the new one after ``replace_spans`` edits.

    An offset inside a replaced span moves to the replacement's start (a start) or end (an
    end), so a selection that covered part of a name covers its whole pseudonym.
    """
    keys = [e[0] for e in edits]
    k = bisect.bisect_right(keys, offset) - 1
    if k < 0:
        return offset
    old_start, old_end, new_start, new_end = edits[k]
    if offset >= old_end:
        return offset + (new_end - old_end)
    if offset == old_start:
        return new_start
    return new_end if is_end else new_start


def pseudonymise(text: str, mapping: Mapping[str, str]) -> str:
    """Replace every whole-word occurrence of each real name with its pseudonym.

    Longer names go first, so "Nordvik kommune" is replaced before "Nordvik"; genitive
    forms ("Nordviks") follow their name.
    """
    if not mapping:
        return text
    names = sorted((n for n in mapping if n), key=len, reverse=True)
    pattern = re.compile(r"(?<!\w)(" + "|".join(re.escape(n) for n in names) + r")(s?)(?!\w)")
    return pattern.sub(lambda m: mapping[m.group(1)] + m.group(2), text)


def pseudonymise_identifier(name: str, mapping: Mapping[str, str]) -> str:
    """A file-like name (``nordvik_radmann``) with real names replaced, case-insensitively.

    Document names are often built from the kommune's name; they leak it as surely as text.
    """
    out = name
    for real in sorted((n for n in mapping if n), key=len, reverse=True):
        pseudo = mapping[real].lower().replace(" ", "_")
        out = re.sub(
            r"(?<![^\W_])" + re.escape(real) + r"(?![^\W_])", pseudo, out, flags=re.IGNORECASE
        )
    return out


def numbered_pseudonyms(names: Iterable[str], stem: str) -> dict[str, str]:
    """``{name: f"{stem} 1"}`` … in sorted order, e.g. cases → Kommune 1..n."""
    return {name: f"{stem} {i}" for i, name in enumerate(sorted(set(names)), start=1)}
