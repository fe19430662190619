"""Comparative analysis over a project: matrices, co-occurrence, presence and the quote bank.

The counting is done by SQLite (one GROUP BY per unit); ``kodebok.analysis`` assembles.
"""

from __future__ import annotations

from kodebok.services.analysis.counts import Filters, check_filters, cooccurrence, matrix
from kodebok.services.analysis.groups import available_attributes, grouping
from kodebok.services.analysis.presence import (
    attribute_condition,
    clear_presence,
    overrides,
    presence,
    presence_columns,
    resolve_codes,
    set_presence,
)
from kodebok.services.analysis.quotes import quotes

__all__ = [
    "Filters",
    "attribute_condition",
    "available_attributes",
    "check_filters",
    "clear_presence",
    "cooccurrence",
    "grouping",
    "matrix",
    "overrides",
    "presence",
    "presence_columns",
    "quotes",
    "resolve_codes",
    "set_presence",
]
