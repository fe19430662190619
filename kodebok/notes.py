"""Messages with a code and parameters, so the UI can say them in its own language.

Code below the UI (analysis, services) reports notes and warnings as :class:`Note`: a ``str``
whose text is the English message that the CLI, JSON output and files show, carrying a stable
``code`` and its ``params``. The TUI renders them through its catalogue
(:func:`kodebok.i18n.render`, key ``msg.<code>``) instead of matching on the English text.
Errors carry the same two fields (:class:`kodebok.errors.KodebokError`).
"""

from __future__ import annotations


class Note(str):
    """An English message with a ``code`` and ``params`` for translation."""

    code: str
    params: dict[str, object]

    def __new__(cls, code: str, text: str, **params: object) -> Note:
        """``Note("qca.constant", "condition 'A' has ...", name="A")``."""
        note = super().__new__(cls, text)
        note.code = code
        note.params = params
        return note

    def __reduce__(self) -> tuple[object, ...]:
        """Notes survive pickling (worker processes) with their code and parameters."""
        return (_rebuild, (self.code, str(self), self.params))


def _rebuild(code: str, text: str, params: dict[str, object]) -> Note:
    return Note(code, text, **params)


class Change:
    """What a journaled operation does, by message code and parameters, without any text.

    ``Change("code_segment", doc="nordvik_rektor", number=4, code="Ledelse/Fremmer")`` is
    stored as JSON in the journal; the CLI and TUI render it from the catalogue
    (:func:`kodebok.i18n.change_text`, key ``journal.<code>``) in their language, so undo,
    redo and history follow the UI language. Parameters are plain JSON values (names, paths,
    numbers), never text in one language.
    """

    __slots__ = ("code", "params")

    def __init__(self, op: str, /, **params: object) -> None:
        self.code = op
        self.params = params

    def as_json(self) -> dict[str, object]:
        """``{"op": code, **params}``, as the journal's ``params`` column stores it."""
        return {"op": self.code, **self.params}

    def __repr__(self) -> str:
        return f"Change({self.code!r}, {self.params!r})"
