"""Finding likely personal data in text, and applying a pseudonymisation map (pure functions).

Detection is deliberately generous: it lists candidates for a researcher to review, from
patterns (e-mail, phone, birth date, fødselsnummer) and from gazetteers (kommune names, common
Norwegian given names and surnames) plus names the project knows (its cases).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources


@dataclass(frozen=True)
class Finding:
    """One likely piece of personal data in a text."""

    kind: str  # email | phone | birthdate | national-id | person | place | case
    match: str
    start: int
    end: int
    line: int
    reason: str


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

_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_PHONE = re.compile(
    r"(?<![\d.,])(?:\+47[ ]?)?(?:\d{2}[ ]\d{2}[ ]\d{2}[ ]\d{2}|\d{3}[ ]\d{2}[ ]\d{3}|[2-9]\d{7})"
    r"(?!\d|[.,]\d)"
)
_BIRTH = re.compile(
    r"\b(?:født|f\.|fødd|fødselsdato:?)\s*(?:den\s+)?(\d{1,2}\.\s?\d{1,2}\.\s?\d{2,4}|\d{1,2}\.?\s"
    r"(?:januar|februar|mars|april|mai|juni|juli|august|september|oktober|november|desember)"
    r"\s\d{4})",
    re.IGNORECASE,
)
_NATIONAL_ID = re.compile(r"(?<!\d)(?:[0-3]\d[01]\d\d{2})[ ]?\d{5}(?!\d)")
_CAPITALISED = re.compile(r"\b[A-ZÆØÅ][a-zæøåéü]+(?:-[A-ZÆØÅ][a-zæøåéü]+)?\b")


def _read_list(name: str) -> frozenset[str]:
    text = resources.files("kodebok.data.gazetteers").joinpath(name).read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip())


@lru_cache(maxsize=1)
def load_gazetteers() -> Gazetteers:
    """The shipped gazetteers (read once)."""
    return Gazetteers(
        _read_list("fornavn.txt"), _read_list("etternavn.txt"), _read_list("kommuner.txt")
    )


def _line_starts(text: str) -> list[int]:
    starts = [0]
    starts.extend(i + 1 for i, ch in enumerate(text) if ch == "\n")
    return starts


def _sentence_initial(text: str, pos: int) -> bool:
    before = text[:pos].rstrip(' \t"«(')
    return not before or before[-1] in ".!?:\n" or before.endswith(("I:", "IP:"))


def find_personal_data(
    text: str, gazetteers: Gazetteers | None = None, known: Mapping[str, str] | None = None
) -> list[Finding]:
    """Likely personal data in ``text``; ``known`` maps project names (cases…) to their kind."""
    import bisect

    gaz = gazetteers or load_gazetteers()
    lines = _line_starts(text)
    found: list[Finding] = []
    taken: list[tuple[int, int]] = []

    def add(kind: str, start: int, end: int, reason: str) -> None:
        if any(s < end and start < e for s, e in taken):
            return
        taken.append((start, end))
        found.append(
            Finding(kind, text[start:end], start, end, bisect.bisect_right(lines, start), reason)
        )

    for m in _EMAIL.finditer(text):
        add("email", m.start(), m.end(), "e-postadresse")
    for m in _BIRTH.finditer(text):
        add("birthdate", m.start(), m.end(), "fødselsdato")
    for m in _NATIONAL_ID.finditer(text):
        add("national-id", m.start(), m.end(), "ser ut som et fødselsnummer (11 sifre)")
    for m in _PHONE.finditer(text):
        add("phone", m.start(), m.end(), "telefonnummer")
    for name, kind in (known or {}).items():
        if len(name) < 2:
            continue
        for m in re.finditer(r"(?<!\w)" + re.escape(name) + r"(?!\w)", text):
            add(kind, m.start(), m.end(), f"navn i prosjektet ({kind})")
    words = list(_CAPITALISED.finditer(text))
    for i, m in enumerate(words):
        word = m.group(0)
        nxt = words[i + 1] if i + 1 < len(words) else None
        adjacent = nxt is not None and text[m.end() : nxt.start()] == " "
        if word in gaz.first_names:
            if (
                adjacent
                and nxt is not None
                and (nxt.group(0) in gaz.surnames or nxt.group(0)[0].isupper())
            ):
                add("person", m.start(), nxt.end(), "fornavn og etternavn")
            elif not _sentence_initial(text, m.start()):
                add("person", m.start(), m.end(), "vanlig fornavn")
        elif (
            word in gaz.surnames
            and i > 0
            and text[words[i - 1].end() : m.start()] == " "
            and words[i - 1].group(0) not in gaz.places
        ):
            add("person", words[i - 1].start(), m.end(), "etternavn etter stor forbokstav")
        elif word in gaz.places:
            if word in _AMBIGUOUS_PLACES and _sentence_initial(text, m.start()):
                continue
            add("place", m.start(), m.end(), "kommunenavn")
    found.sort(key=lambda f: f.start)
    return found


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
