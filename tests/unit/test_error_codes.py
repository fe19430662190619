"""Every error and note code used in kodebok/ has a text in both catalogues, with its parameters.

The TUI shows a KodebokError through :func:`kodebok.i18n.render` (``msg.<code>``); the CLI prints
its English ``message``, which must stay as it is.
"""

from __future__ import annotations

import ast
import builtins
import string
from collections.abc import Iterator
from pathlib import Path

import pytest

import kodebok
from kodebok.errors import DocumentReadError, KodebokError, UnknownItem
from kodebok.i18n import CATALOGUES, current_language, render, set_language
from kodebok.ingest.text import decode_bytes

ROOT = Path(kodebok.__file__).parent
# rendered by its own function (kodebok.i18n.refusal_text), not by one msg.<code> text
SPECIAL = {"journal.refused"}
# codes a front end acts on and never shows as text (the library asks what to do instead)
NOT_SHOWN = {"import.revised"}
_ERROR_ENDINGS = ("Error", "Found", "Locked", "ReadOnly", "Corrupt", "Item", "Clash")


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _codes(node: ast.expr) -> list[str]:
    """The code strings a ``code=`` argument can take (a literal, or a choice of two)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _codes(node.body) + _codes(node.orelse)
    return []


def used_codes() -> list[tuple[str, str, set[str] | None]]:
    """(code, where, parameter names given or None for ``**params``) for every error and note."""
    found: list[tuple[str, str, set[str] | None]] = []
    for path in sorted(ROOT.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = _name(node.func)
            where = f"{path.relative_to(ROOT.parent)}:{node.lineno}"
            given = {k.arg for k in node.keywords if k.arg and k.arg != "code"}
            params = None if any(k.arg is None for k in node.keywords) else given
            if name == "Note" and node.args:
                found += [(code, where, params) for code in _codes(node.args[0])]
                continue
            if not name.endswith(_ERROR_ENDINGS) or hasattr(builtins, name):
                continue
            for keyword in node.keywords:
                if keyword.arg == "code":
                    codes = _codes(keyword.value)
                    assert codes, f"{where}: code= must be a literal string"
                    found += [(code, where, params) for code in codes]
    return found


def fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def test_the_walk_finds_the_codes_of_errors_and_notes() -> None:
    codes = {code for code, _, _ in used_codes()}
    # the open errors, the picker's, the importer's and the search's are among them
    assert {
        "project.such_project_file_create",
        "project.kodebok_project_sqlite_database",
        "project.project_locked_another_program",
        "project.made_newer_kodebok_schema",
        "project.read_only",
        "codes.code_needs_name",
        "codes.valid_code_path",
        "lookup.unknown_code_near",
        "ingest.file_empty",
        "ingest.looks_like_binary_file",
        "ingest.decode_text_neither_utf",
        "search.search",
        "qca.left_out",
    } <= codes
    assert len(codes) > 150


def catalogue_problems(found: list[tuple[str, str, set[str] | None]]) -> list[str]:
    """What is missing: a text in a language, a field in one of them, a parameter at the call."""
    problems = []
    for code, where, given in found:
        if code in SPECIAL or code in NOT_SHOWN:
            continue
        key = f"msg.{code}"
        texts = {lang: CATALOGUES[lang].get(key) for lang in ("nb", "en")}
        missing = [lang for lang, text in texts.items() if text is None]
        if missing:
            problems.append(f"{where}: {key} has no text in {', '.join(missing)}")
            continue
        nb, en = fields(texts["nb"] or ""), fields(texts["en"] or "")
        if nb != en:
            problems.append(f"{where}: {key} has fields {sorted(nb)} in nb, {sorted(en)} in en")
        if given is not None and not en <= given:
            problems.append(f"{where}: {key} needs {sorted(en - given)}, given {sorted(given)}")
    return problems


def test_every_code_has_a_text_in_both_languages_with_the_same_parameters() -> None:
    problems = catalogue_problems(used_codes())
    assert not problems, "\n".join(problems)


def test_a_missing_translation_or_parameter_is_reported() -> None:
    assert catalogue_problems([("no.such.code", "x.py:1", set())]) == [
        "x.py:1: msg.no.such.code has no text in nb, en"
    ]
    assert catalogue_problems([("ingest.file_empty", "x.py:2", {"path"})]) == [
        "x.py:2: msg.ingest.file_empty needs ['source'], given ['path']"
    ]
    assert catalogue_problems([("ingest.file_empty", "x.py:3", None)]) == []


@pytest.fixture
def language() -> Iterator[None]:
    before = current_language()
    yield
    set_language(before)


def test_an_ingest_error_keeps_its_english_message_and_renders_in_norwegian(
    language: None,
) -> None:
    with pytest.raises(DocumentReadError) as empty:
        decode_bytes(b"", "elvestad_rektor.txt")
    assert str(empty.value) == "elvestad_rektor.txt: the file is empty"  # the CLI's text
    set_language("nb")
    assert render(empty.value) == "elvestad_rektor.txt: filen er tom"
    set_language("en")
    assert render(empty.value) == "elvestad_rektor.txt: the file is empty"
    with pytest.raises(DocumentReadError) as binary:
        decode_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "bilde.txt")
    set_language("nb")
    assert render(binary.value).startswith("bilde.txt: ser ut som")


def test_english_texts_say_what_the_message_says(language: None) -> None:
    """In English the TUI shows the same words as the CLI (the catalogue copies the message)."""
    set_language("en")
    errors: list[KodebokError] = []
    for data in (b"", b"a\x00b" * 50, "ï»¿".encode("latin-1") + b"\xff\xfe" * 3):
        try:
            decode_bytes(data, "f.txt")
        except KodebokError as exc:
            errors.append(exc)
    assert len(errors) == 3
    for exc in errors:
        assert exc.code, exc.message
        assert render(exc) == exc.message


def test_unknown_code_names_the_nearest_in_the_ui_language(language: None) -> None:
    error = UnknownItem(
        "unknown code 'Ledelse'; did you mean 'Ledelsen'?",
        code="lookup.unknown_code_near",
        name="Ledelse",
        near=["Ledelsen"],
    )
    set_language("nb")
    assert render(error) == "ukjent kode «Ledelse»; mente du Ledelsen?"
