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
