"""Numbers in written tables, and CSV text: the one definition every export and command uses.

A table cell is written as follows (CSV, Markdown, HTML, the command line's CSV output):

- ``None`` is an empty cell; integers (and booleans, as 0/1) as they are; strings as they are.
- A float gets ``digits`` significant digits (4 by default; the QCA truth table keeps 6 so R's
  values can be compared) without exponent notation: 12345.6 is ``12346``, not ``1.235e+04``,
  and 2500000.0 is ``2500000``. Values below 10⁻⁴ keep the exponent (``1.2e-05``): rounding
  them to 0 would hide that they are not 0.
- ``decimal=","`` writes a decimal comma, and CSV then separates fields with ``;`` (what a
  Norwegian spreadsheet expects).

Words are counted one way too: :func:`count_words` (a word is a maximal run of ``\\w``
characters, letters, digits and ``_``, so ``tonivå-modellen`` is two words and ``8 000`` two).
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Sequence
from typing import Any

WORD = re.compile(r"\w+")


def count_words(text: str) -> int:
    """How many words ``text`` has (maximal runs of ``\\w``, as the matrix's word unit counts)."""
    return sum(1 for _ in WORD.finditer(text))


def format_number(value: Any, decimal: str = ".", digits: int = 4) -> str:
    """A table cell as text (see the module's rules)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        text = f"{value:.{digits}g}"
        if "e" in text and abs(value) >= 1:
            text = f"{value:.0f}"
        return text.replace(".", decimal)
    return str(value)


def csv_text(
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    decimal: str = ".",
    digits: int = 4,
) -> str:
    """CSV with a header row; ``decimal=','`` gives decimal commas and ``;`` between fields."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";" if decimal == "," else ",", lineterminator="\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([format_number(v, decimal, digits) for v in row])
    return buf.getvalue()
