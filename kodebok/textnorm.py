"""Unicode NFC in linear time, and NFC with a map from positions before to positions after.

``unicodedata.normalize`` sorts the combining marks after a letter by insertion sort, so a run
of many marks in mixed order (decomposed text gone wrong, or a hostile file) takes quadratic
time: 160 000 marks took 20 s. :func:`nfc` sorts long runs itself first (a stable sort by
combining class is exactly Unicode's canonical ordering, so the result is canonically
equivalent and normalises to the same text) and then lets ``unicodedata`` do the rest.

:func:`nfc_with_positions` also says where every position of the input lands in the output
(REFI-QDA positions count characters of the text as written). It splits the text at
characters where normalisation cannot reach across (a starter that no character before it
can combine with) and normalises each short cluster on its own, instead of normalising every
prefix of the whole text (66 000 decomposed characters took 51 s that way).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from bisect import bisect_right

# A run of combining marks longer than this is sorted by kodebok before NFC; Unicode's
# stream-safe format allows 30, real text has one to three.
_LONG_RUN = 32
# Inside a cluster longer than this, positions after the first ones map approximately
# (never outside the cluster, never backwards): a selection cannot sensibly start inside
# hundreds of stacked accents, and mapping each of them exactly is quadratic.
_EXACT_CLUSTER = 64
_SCAN_LIMIT = 0x30000  # combining marks and canonical decompositions all lie below this


def _ranges(codepoints: set[int]) -> str:
    parts: list[str] = []
    ordered = sorted(codepoints)
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        first, last = re.escape(chr(ordered[i])), re.escape(chr(ordered[j]))
        parts.append(first if i == j else f"{first}-{last}")
        i = j + 1
    return "".join(parts)


@functools.cache
def _tables() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(long runs of combining marks, clusters normalisation may change), built once."""
    marks: set[int] = set()  # canonical combining class above 0
    joins_back: set[int] = set()  # NFC may combine it with what comes before
    changes: set[int] = set()  # NFC changes the character even alone
    for cp in range(_SCAN_LIMIT):
        ch = chr(cp)
        if unicodedata.combining(ch):
            marks.add(cp)
            continue
        decomposition = unicodedata.decomposition(ch)
        if not decomposition or decomposition.startswith("<"):
            continue
        parts = decomposition.split()
        if len(parts) == 2:
            joins_back.add(int(parts[1], 16))
        if unicodedata.normalize("NFC", ch) != ch:
            changes.add(cp)
        first = unicodedata.normalize("NFD", ch)[0]
        if unicodedata.combining(first):
            joins_back.add(cp)
    # Hangul vowels and final consonants combine with the syllable before them.
    joins_back.update(range(0x1161, 0x1176), range(0x11A8, 0x11C3))
    joins_back |= marks
    back = _ranges(joins_back)
    long_runs = re.compile(f"[{_ranges(marks)}]{{{_LONG_RUN},}}")
    clusters = re.compile(f"(?s)[^{back}]?[{back}]+|[{_ranges(changes)}]")
    return long_runs, clusters


def _sorted_run(run: str) -> str:
    """The run of marks decomposed and in canonical order (stable by combining class)."""
    decomposed = "".join(unicodedata.normalize("NFD", ch) for ch in run)
    out: list[str] = []
    marks: list[str] = []
    for ch in decomposed:
        if unicodedata.combining(ch):
            marks.append(ch)
        else:
            out.extend(sorted(marks, key=unicodedata.combining))
            marks.clear()
            out.append(ch)
    out.extend(sorted(marks, key=unicodedata.combining))
    return "".join(out)


def nfc(text: str) -> str:
    """``unicodedata.normalize("NFC", text)``, in linear time also for long runs of marks."""
    if unicodedata.is_normalized("NFC", text):
        return text
    long_runs, _ = _tables()
    if long_runs.search(text):
        text = long_runs.sub(lambda m: _sorted_run(m.group()), text)
    return unicodedata.normalize("NFC", text)


class PositionMap:
    """Maps positions 0..n of a text to positions in its normalised form (monotone).

    Stored as breakpoints: from ``starts[k]`` on, position p maps to
    ``values[k] + (p - starts[k])``; before the first breakpoint p maps to itself. Plain text
    needs none, a CRLF file one per line, decomposed text a few per accent. ``then`` is a
    second map applied after this one.
    """

    def __init__(
        self,
        length: int,
        starts: list[int],
        values: list[int],
        then: PositionMap | None = None,
    ) -> None:
        self.length = length
        self.starts = starts
        self.values = values
        self.then = then

    def __len__(self) -> int:
        return self.length + 1

    def __getitem__(self, position: int) -> int:
        if not 0 <= position <= self.length:
            raise IndexError(position)
        k = bisect_right(self.starts, position) - 1
        mapped = position if k < 0 else self.values[k] + position - self.starts[k]
        return mapped if self.then is None else self.then[mapped]


def _cluster_steps(cluster: str) -> tuple[str, list[tuple[int, int]]] | None:
    """NFC of one cluster and its breakpoints relative to its start; None when unchanged."""
    size = len(cluster)
    normal = unicodedata.normalize("NFC", cluster) if size < _LONG_RUN else nfc(cluster)
    if normal == cluster:
        return None
    steps: list[tuple[int, int]] = []
    highest = 0
    anchor, anchored = 0, 0  # the breakpoint in effect: the cluster start maps to its start
    for k in range(1, size + 1):
        if k == size:
            length = len(normal)
        elif k <= _EXACT_CLUSTER:
            length = len(unicodedata.normalize("NFC", cluster[:k]))
        else:
            length = highest + 1
        highest = min(max(highest, length), len(normal))
        if highest != anchored + k - anchor:
            anchor, anchored = k, highest
            steps.append((anchor, anchored))
    return normal, steps


def nfc_with_positions(text: str) -> tuple[str, PositionMap]:
    """NFC of ``text`` and where each position 0..len(text) of ``text`` lands in it."""
    if unicodedata.is_normalized("NFC", text):
        return text, PositionMap(len(text), [], [])
    _, clusters = _tables()
    pieces: list[str] = []
    starts: list[int] = []
    values: list[int] = []
    done = 0  # input consumed
    out = 0  # output length so far
    # NFD text repeats a few clusters (e + accent) many times
    seen: dict[str, tuple[str, list[tuple[int, int]]] | None] = {}
    for match in clusters.finditer(text):
        cluster = match.group()
        if cluster in seen:
            known = seen[cluster]
        else:
            known = seen[cluster] = _cluster_steps(cluster)
        if known is None:
            continue
        normal, steps = known
        a, b = match.span()
        pieces.append(text[done:a])
        out += a - done
        for k, value in steps:
            starts.append(a + k)
            values.append(out + value)
        pieces.append(normal)
        out += len(normal)
        done = b
    pieces.append(text[done:])
    return "".join(pieces), PositionMap(len(text), starts, values)
