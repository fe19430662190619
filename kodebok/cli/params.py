"""Click parameter types that keep numbers inside what the project file can store."""

from __future__ import annotations

from typing import Any

import click

from kodebok.services.project import SQLITE_INT_MAX


class SafeInt(click.IntRange):
    """A whole number between ``min`` and SQLite's largest INTEGER (or a smaller ``max``).

    click's INT accepts any Python int, and sqlite3 raises OverflowError on one above 2**63-1;
    this type refuses it with a usage error that names the option and the allowed range.
    """

    name = "integer"

    def __init__(self, min: int | None = None, max: int | None = None) -> None:
        super().__init__(min=min, max=SQLITE_INT_MAX if max is None else max)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = click.INT.convert(value, param, ctx)
        assert isinstance(number, int)
        if (self.min is not None and number < self.min) or (
            self.max is not None and number > self.max
        ):
            if self.min is not None and self.max is not None and self.max < SQLITE_INT_MAX:
                allowed = f"between {self.min} and {self.max}"
            elif self.min is not None:
                allowed = f"at least {self.min}" + (
                    "" if self.max is None else f" and at most {self.max}"
                )
            else:
                allowed = f"at most {self.max}"
            shown = str(number) if len(str(number)) <= 20 else f"{str(number)[:12]}…"
            self.fail(f"{shown} is out of range: it must be {allowed}", param, ctx)
        return number


COUNT = SafeInt(min=1)
"""A positive count (--top, --limit, --min-codings ...)."""

INDEX = SafeInt(min=0)
"""A 0-based index or a row id."""
