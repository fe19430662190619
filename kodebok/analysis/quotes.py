"""The quote bank: coded text per code and group, attributed by a template, optionally pseudonymised."""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

from kodebok.analysis.groups import natural_key
from kodebok.analysis.privacy import find_personal_data, load_gazetteers, pseudonymise_identifier
from kodebok.errors import AnalysisError

DEFAULT_TEMPLATE = "({role}, {case})"
NAME_PLACEHOLDER = "[navn]"


@dataclass(frozen=True)
class Quote:
    """One coded passage with everything an attribution can name."""

    code: str
    text: str
    case: str
    document: str
    speaker: str
    start: int
    fields: Mapping[str, str] = field(default_factory=dict)  # attributes: speaker > doc > case
    group: str = ""
    end: int = 0


@dataclass(frozen=True)
class QuoteSection:
    """The quotes of one code in one group, in the order they go into the report."""

    code: str
    group: str
    quotes: tuple[tuple[Quote, str], ...]  # (quote, attribution)


def template_fields(template: str) -> list[str]:
    """The field names a template uses; AnalysisError for a malformed template."""
    try:
        return [name for _, name, _, _ in string.Formatter().parse(template) if name]
    except ValueError as exc:
        raise AnalysisError(
            f"attribution template '{template}': {exc}",
            code="quotes.attribution_template",
            template=template,
            exc=str(exc),
        ) from exc


def attribution(quote: Quote, template: str = DEFAULT_TEMPLATE) -> str:
    """Fill the template; a missing field leaves no empty ", ," or "( ," behind."""
    values: dict[str, str] = {k.casefold(): v for k, v in quote.fields.items()}
    values.update(
        case=quote.case,
        document=quote.document,
        speaker=quote.speaker,
        code=quote.code,
        group=quote.group,
    )
    values.setdefault("role", quote.speaker)
    filled = "".join(
        literal + (values.get(name.casefold(), "") if name else "")
        for literal, name, _, _ in string.Formatter().parse(template)
    )
    filled = re.sub(r"(,\s*){2,}", ", ", filled)
    filled = re.sub(r"([(\[«])\s*,\s*", r"\1", filled)
    filled = re.sub(r"\s*,\s*([)\]»])", r"\1", filled)
    filled = re.sub(r"\(\s*\)|\[\s*\]|«\s*»", "", filled).strip()
    # nothing known about the speaker or case (a document without either): name the document
    return filled or (f"({quote.document})" if template else "")


_GENERIC_LABEL = re.compile(
    r"^(?:i|ip|r|int|intervjuer|informant|leder|deltaker|respondent|speaker|taler|person|"
    r"moderator|ordfører|rådmann|rektor|kommunedirektør|kommunalsjef|styrer|enhetsleder)"
    r"(?:[\s_-]*\d+)?$",
    re.IGNORECASE,
)


def looks_like_name(label: str) -> bool:
    """Whether a speaker label is probably a person's name (``Kari``, ``Ola Nordmann``).

    Roles and numbered labels (``IP``, ``Leder 2``, ``SPEAKER_00``) are not names.
    """
    label = label.strip().strip("[]*:").strip()
    if not label or _GENERIC_LABEL.match(label):
        return False
    words = label.split()
    if not 1 <= len(words) <= 3 or not all(w[:1].isupper() for w in words):
        return False
    gaz = load_gazetteers()
    return words[0] in gaz.first_names or any(w in gaz.surnames for w in words[1:])


def pseudonymise(text: str, mapping: Mapping[str, str]) -> str:
    """``text`` with every real name in ``mapping`` replaced by its pseudonym.

    Longer names go first ("Nordvik kommune" before "Nordvik"); a genitive s follows its name;
    a name that starts a compound ("Storsjømodellen") is replaced too ("Kommune 4-modellen"),
    when at least four lower-case letters follow, so "Os" does not eat "Oslo". A name in
    capitals (NORDVIK) is replaced, and in lower case (nordvik) when it has five letters or more.
    """
    if not mapping or not text:
        return text
    pattern, table = _name_pattern(tuple(sorted(mapping.items())))

    def swap(m: re.Match[str]) -> str:
        if m.group(1) is not None:
            return table[m.group(1)] + m.group(2)
        return table[m.group(3)] + "-"

    return pattern.sub(swap, text)


@lru_cache(maxsize=16)
def _name_pattern(items: tuple[tuple[str, str], ...]) -> tuple[re.Pattern[str], dict[str, str]]:
    # one compiled pattern per mapping: a quote bank applies the same map thousands of times
    table = dict(items)
    for real, pseudo in items:
        # NORDVIK in a heading, "nordvik" typed in a hurry; short names only as written, so
        # the lower-case words "nes", "vik" or "sel" are left alone
        variants = [real.upper()] + ([real.lower()] if len(real) >= 5 else [])
        for variant in variants:
            table.setdefault(variant, pseudo)
    names = sorted((real for real in table if real), key=len, reverse=True)
    alt = "|".join(re.escape(n) for n in names) or "(?!)"
    written = "|".join(re.escape(n) for n, _ in sorted(items, key=lambda i: -len(i[0])) if n)
    pattern = rf"(?<!\w)({alt})(s?)(?!\w)|(?<!\w)({written or '(?!)'})(?=[a-zæøåéèü]{{4,}})"
    return re.compile(pattern), table


def ascii_fold(name: str) -> str:
    """``Storsjø`` → ``Storsjo``, ``Ålesund`` → ``Alesund``: how names turn up in file names."""
    table = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "Æ": "Ae", "Ø": "O", "Å": "A"})
    decomposed = unicodedata.normalize("NFKD", name.translate(table))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def pseudonym_mapping(
    case_names: Iterable[str],
    speaker_labels: Iterable[str],
    project_map: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Real → pseudonym: the project's own map first, then "Kommune n" for cases (by name) and
    ``[navn]`` for speaker labels that look like names."""
    mapping = dict(project_map or {})
    used = set(mapping.values())
    n = 0
    # the smallest free number, so cases without an entry in the project's map still read 1..n
    for name in sorted(set(case_names)):
        if name in mapping:
            continue
        n += 1
        while f"Kommune {n}" in used:
            n += 1
        mapping[name] = f"Kommune {n}"
    for label in set(speaker_labels):
        if label not in mapping and looks_like_name(label):
            mapping[label] = NAME_PLACEHOLDER
    return mapping


_PLACEHOLDERS = {
    "person": NAME_PLACEHOLDER,
    "email": "[e-post]",
    "phone": "[telefon]",
    "national-id": "[fødselsnummer]",
    "birthdate": "[fødselsdato]",
}


def scrub_personal_data(text: str) -> str:
    """Replace likely person names and contact data found by the privacy detector."""
    found = [f for f in find_personal_data(text) if f.kind in _PLACEHOLDERS]
    for f in sorted(found, key=lambda f: f.start, reverse=True):
        text = text[: f.start] + _PLACEHOLDERS[f.kind] + text[f.end :]
    return text


def pseudonymise_quote(quote: Quote, mapping: Mapping[str, str], scrub: bool = True) -> Quote:
    """The quote with text, case, document, speaker and attribute values pseudonymised.

    With ``scrub``, names the detector finds in the text (colleagues, the rådmann by name)
    become ``[navn]`` too, not only those in the map.
    """
    text = scrub_personal_data(quote.text) if scrub else quote.text
    return replace(
        quote,
        text=pseudonymise(text, mapping),
        case=mapping.get(quote.case, pseudonymise(quote.case, mapping)),
        document=pseudonymise_identifier(quote.document, _with_folded(mapping)),
        speaker=mapping.get(quote.speaker, pseudonymise(quote.speaker, mapping)),
        fields={k: pseudonymise(v, mapping) for k, v in quote.fields.items()},
        group=mapping.get(quote.group, pseudonymise(quote.group, mapping)),
    )


def pseudonymise_quotes(
    quotes: Iterable[Quote], mapping: Mapping[str, str], scrub: bool = True
) -> list[Quote]:
    """``pseudonymise_quote`` over a quote bank: each distinct case, document, speaker, group
    and attribute value is pseudonymised once (they recur on thousands of quotes)."""
    folded = _with_folded(mapping)
    memo: dict[tuple[str, str], str] = {}

    def once(kind: str, value: str) -> str:
        out = memo.get((kind, value))
        if out is None:
            if kind == "document":
                out = pseudonymise_identifier(value, folded)
            elif kind == "field":
                out = pseudonymise(value, mapping)
            else:
                out = mapping.get(value, pseudonymise(value, mapping))
            memo[(kind, value)] = out
        return out

    return [
        replace(
            quote,
            text=pseudonymise(scrub_personal_data(quote.text) if scrub else quote.text, mapping),
            case=once("name", quote.case),
            document=once("document", quote.document),
            speaker=once("name", quote.speaker),
            fields={k: once("field", v) for k, v in quote.fields.items()},
            group=once("name", quote.group),
        )
        for quote in quotes
    ]


def _with_folded(mapping: Mapping[str, str]) -> dict[str, str]:
    out = dict(mapping)
    for real, pseudo in mapping.items():
        out.setdefault(ascii_fold(real), pseudo)
    return out


def quote_sections(
    quotes: Sequence[Quote], template: str = DEFAULT_TEMPLATE, code_order: Sequence[str] = ()
) -> list[QuoteSection]:
    """Group quotes by code (tree order) and group, each sorted by case, document, position."""
    order = {c: i for i, c in enumerate(code_order)}
    buckets: dict[tuple[str, str], list[Quote]] = {}
    for q in quotes:
        buckets.setdefault((q.code, q.group), []).append(q)
    out = []
    for code, group in sorted(
        buckets, key=lambda k: (order.get(k[0], len(order)), k[0], natural_key(k[1]), k[1])
    ):
        items = sorted(
            buckets[(code, group)],
            key=lambda q: (natural_key(q.case), q.case, q.document, q.start),
        )
        out.append(QuoteSection(code, group, tuple((q, attribution(q, template)) for q in items)))
    return out
