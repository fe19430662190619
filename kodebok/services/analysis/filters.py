"""Which material an analysis looks at, as SQL conditions.

Its own module so that ``counts`` and ``groups`` (which ``counts`` imports) both use it
without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Filters:
    """Which material an analysis looks at: one coder's codings, some document kinds."""

    coder: str | None = None
    kinds: tuple[str, ...] = ()
    orphans: bool = False  # also codings whose text a revision removed (quotes show their text)

    def codings_sql(self) -> tuple[str, list[object]]:
        """WHERE conditions on codings ``k`` joined to documents ``d``."""
        sql, params = self.documents_sql()
        if not self.orphans:
            sql += " AND k.status != 'orphaned'"
        if self.coder:
            sql += " AND k.coder = ?"
            params.append(self.coder)
        return sql, params

    def coder_sql(self) -> tuple[str, list[object]]:
        """WHERE conditions on codings ``k`` alone (status and coder)."""
        if self.coder:
            return "k.status != 'orphaned' AND k.coder = ?", [self.coder]
        return "k.status != 'orphaned'", []

    def documents_sql(self) -> tuple[str, list[object]]:
        """WHERE conditions on documents ``d``."""
        if not self.kinds:
            return "1", []
        return f"d.kind IN ({', '.join('?' for _ in self.kinds)})", list(self.kinds)
