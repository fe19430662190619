"""Speaker labels at the start of a line: every form in docs/domain.md, and when to believe one."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass

_TS = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?"
# A label word: letters, digits and the joiners seen in names and ids ("Jan-Erik", "SPEAKER_00",
# "Ole K."). The first character of the label is checked for a capital letter afterwards.
_WORD = r"[^\W_][\w'’.\-]*"
_LABEL = rf"{_WORD}(?:[ \t]+{_WORD}){{0,3}}"

_LABEL_LINE = re.compile(
    rf"""
    [ \t]*
    (?:(?P<ts_lead>{_TS})[ \t]+|[\[(](?P<ts_lead_b>{_TS})[\])][ \t]*)?
    (?:
        \*\*(?P<md>{_LABEL})(?:[ \t]*[(\[](?P<ts_md>{_TS})[)\]])?[ \t]*(?::\*\*|\*\*[ \t]*:)
      | \[(?P<br>{_LABEL})\](?:[ \t]*:)?
      | (?P<pl>{_LABEL})(?:[ \t]*[(\[](?P<ts_after_b>{_TS})[)\]]|[ \t]+(?P<ts_after>{_TS}))?[ \t]*:
    )
    (?=\s|$)
    [ \t]*
    (?:[\[(](?P<ts_text>{_TS})[\])][ \t]*)?
    """,
    re.VERBOSE,
)

_BARE_TIMESTAMP = re.compile(rf"[ \t]*[\[(]?({_TS})[\])]?[ \t]*")

_INTERVIEWER = re.compile(
    r"(?:i|int\.?|intervjuer|intervjuar|interviewer|moderator|ordstyrer)(?:[ _]?\d{1,2})?",
    re.IGNORECASE,
)
# Numbered or coded participants, as transcribers and diarisation tools write them.
_PARTICIPANT = re.compile(
    r"(?:ip|r|informant|respondent|deltaker|deltakar|intervjuobjekt|speaker|taler|talar"
    r"|person|leder|leiar|kvinne|mann|elev|lærer|lærar|forelder|k|m|d)(?:[ _]?\d{1,3})?",
    re.IGNORECASE,
)
_ROLE_SUFFIX = re.compile(
    r"\w*(?:sjef|leder|leiar|direktør|rådgiver|rådgjevar|ordfører|rådmann|tillitsvalgt"
    r"|tillitsvald|inspektør|konsulent|koordinator)",
    re.IGNORECASE,
)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_ROLES = _words(
    """rektor styrer skoleeier statsforvalter veileder rettleiar politiker politikar htv hvo
    verneombud tillitsvalgt lærer lærar sekretær saksbehandler sakshandsamar"""
)
# Words that start a sentence, not a name: "Det er sånn: …", "Han sa: …".
_SENTENCE_STARTERS = _words(
    """det dette den denne så men og eller da no nå her der når hvis viss om jeg eg vi me du
    han hun ho de dei dem man en ein et eit hva kva hvordan korleis hvorfor kvifor for fordi
    at som også òg først deretter til etter før på med uten utan altså ja nei jo vel mm hm
    hmm ok okei"""
)
# Labels that are field names or notes in documents and headers, never speakers.
_NOT_SPEAKERS = _words(
    """merk nb obs ps tips note notat eksempel eks kilde dato tid sted varighet tema emne
    tittel sak referanse ref vedlegg lengde lydfil fil prosjekt deltakere deltakarar
    transkribert transkripsjon intervjuet mål tiltak ansvar frist status indikator resultat
    resultater kommentar kommentarer vurdering beskrivelse formål føremål bakgrunn konklusjon
    oppsummering forslag vedtak merknad definisjon latter ler pause stillhet uhørbart uhørlig
    utydelig avbrudd kremt hoster fnis sukk inaudible laughter crosstalk overlapping kommune
    kommunar kommuner fylke skole skule enhet eining"""
)
_SENTENCE_END = (".", "!", "?", "…", ":", '"', "»", ")", "]")


@dataclass(frozen=True, slots=True)
class LabelMatch:
    """A speaker label found at the start of a line.

    ``text_start`` is the index in the line where the spoken text begins (after the label and
    any timestamp); ``strong`` marks forms that are unambiguous (a timestamp or bold markdown).
    """

    label: str
    text_start: int
    t_start: float | None
    strong: bool


_TS_GROUPS = ("ts_lead", "ts_lead_b", "ts_md", "ts_after_b", "ts_after", "ts_text")


def parse_timestamp(value: str) -> float:
    """Seconds in a ``hh:mm:ss``, ``mm:ss`` or ``hh:mm:ss.mmm`` timestamp."""
    seconds = 0.0
    for part in value.replace(",", ".").split(":"):
        seconds = seconds * 60 + float(part)
    return seconds


def bare_timestamp(line: str) -> float | None:
    """Seconds of a line that holds only a timestamp (``00:12:03``, ``[12:03]``), else None."""
    m = _BARE_TIMESTAMP.fullmatch(line)
    return parse_timestamp(m.group(1)) if m else None


def match_label(line: str) -> LabelMatch | None:
    """The label that starts ``line`` if it has a label's shape (not yet judged plausible)."""
    m = _LABEL_LINE.match(line)
    if m is None:
        return None
    md, br, pl = m.group("md", "br", "pl")
    label = md or br or pl
    if not label or not label[0].isupper() or len(label) > 40:
        return None
    ts = next((t for t in m.group(*_TS_GROUPS) if t), None)
    strong = ts is not None or md is not None
    return LabelMatch(
        label=" ".join(label.split()),
        text_start=m.end(),
        t_start=parse_timestamp(ts) if ts else None,
        strong=strong,
    )


def is_interviewer_label(label: str) -> bool:
    """True for the usual interviewer labels: I, Int, Intervjuer, Interviewer, Moderator, ..."""
    return _INTERVIEWER.fullmatch(label.strip()) is not None


def is_known_label(label: str) -> bool:
    """True for labels that are speakers wherever they occur: I/IP/R, Informant 3, roles, ..."""
    words = label.split()
    if is_interviewer_label(label) or _PARTICIPANT.fullmatch(label):
        return True
    if not _is_role(words[0]):
        return False
    # "Rektor", "Leder 2", "Rektor Nordvik": a role on its own or with a number or a name.
    return all(w[0].isupper() or w.isdigit() for w in words[1:])


def _is_role(word: str) -> bool:
    folded = word.casefold()
    return folded in _ROLES or _ROLE_SUFFIX.fullmatch(folded) is not None


def _is_name_like(words: Sequence[str]) -> bool:
    return all(w[0].isupper() or w[0].isdigit() for w in words)


def _is_excluded(label: str) -> bool:
    folded = label.casefold()
    first = folded.split()[0].rstrip(".")
    return folded in _NOT_SPEAKERS or first in _NOT_SPEAKERS or first in _SENTENCE_STARTERS


def _verdict(cand: LabelMatch, count: int, declared: set[str]) -> str:
    """'yes', 'no', 'field' (a field name like "Dato") or 'one-off' (a name seen once)."""
    words = cand.label.split()
    if cand.label.casefold() in declared or is_known_label(cand.label):
        return "yes"
    if _is_excluded(cand.label):
        return "field"
    if not (_is_name_like(words) or _is_role(words[0])):
        return "no"
    if cand.strong or count >= 2:
        return "yes"
    return "one-off" if len(words) <= 3 else "no"


def _block_numbers(lines: Sequence[str]) -> list[int]:
    """For each line, the number of the blank-line separated block it belongs to."""
    numbers: list[int] = []
    block = 0
    for line in lines:
        if not line.strip():
            block += 1
        numbers.append(block)
    return numbers


def _ends_sentence(line: str) -> bool:
    stripped = line.rstrip()
    return not stripped or stripped.endswith(_SENTENCE_END)


def find_label_lines(lines: Sequence[str], known: Collection[str] = ()) -> dict[int, LabelMatch]:
    """Which ``lines`` start a speaker turn, by index, with the label found there.

    A label-shaped prefix counts when it is an unambiguous form (timestamp, bold, a known
    role or participant code, or a label in ``known``), or when it looks like a name and
    either recurs in the document or appears after other turns at the start of a new sentence.
    Field names ("Dato:", "Merk:") and sentence openings ("Det er sånn:") never count, and a
    label seen once in a block of field names ("Informant: rektor" under "Dato: ...") is a
    header line rather than a turn.
    """
    candidates: dict[int, LabelMatch] = {}
    for i, line in enumerate(lines):
        # Cheap pre-check: most lines have no colon or bracket near the start.
        head = line[:80]
        if ":" not in head and "[" not in head:
            continue
        found = match_label(line)
        if found is not None:
            candidates[i] = found
    if not candidates:
        return {}
    counts = Counter(c.label for c in candidates.values())
    declared = {k.casefold() for k in known}
    accepted: dict[int, LabelMatch] = {}
    one_offs: list[int] = []
    # Verdicts depend on the label only (and for one-offs on the line before); labels repeat
    # hundreds of times in a long transcript, so judge each distinct label once.
    verdicts: dict[str, str] = {}
    header_blocks: set[int] = set()
    blocks = _block_numbers(lines)
    for i, cand in candidates.items():
        verdict = verdicts.get(cand.label)
        if verdict is None:
            verdict = verdicts[cand.label] = _verdict(cand, counts[cand.label], declared)
        if verdict == "yes":
            accepted[i] = cand
        elif verdict == "field":
            header_blocks.add(blocks[i])
        elif verdict == "one-off" and _ends_sentence(lines[i - 1] if i else ""):
            one_offs.append(i)
    # "Informant: rektor" among "Dato:" and "Sted:" lines is a header field, not a turn,
    # unless the block also holds dialogue (a label that recurs or carries a timestamp).
    header_blocks -= {blocks[i] for i, c in accepted.items() if c.strong or counts[c.label] > 1}
    for i in [i for i in accepted if blocks[i] in header_blocks]:
        cand = accepted[i]
        if counts[cand.label] == 1 and not cand.strong and cand.label.casefold() not in declared:
            del accepted[i]
    if not accepted:
        return {}
    # A one-off name is a speaker only inside the dialogue: after another turn, or in the
    # same block as the next one (a header "Tittel: Nordvik" is set apart by a blank line).
    first = min(accepted)
    for i in one_offs:
        if blocks[i] not in header_blocks and (i > first or blocks[i] == blocks[first]):
            accepted[i] = candidates[i]
    return dict(sorted(accepted.items()))
