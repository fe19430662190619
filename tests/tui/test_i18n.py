"""UI text: both catalogues complete, language chosen by argument, environment or project."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from kodebok import i18n
from kodebok.i18n import CATALOGUES, resolve_language, set_language, t

ROOT = Path(__file__).resolve().parents[2]


def used_keys() -> set[str]:
    """Every literal key passed to t() or used as a binding description in kodebok/."""
    keys: set[str] = set()
    for path in (ROOT / "kodebok").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        keys.update(re.findall(r'\bt\(\s*"([a-z_]+\.[a-z_.]+)"', text))
        keys.update(re.findall(r'"(key\.[a-z_]+)"', text))
    return keys


def test_every_key_used_in_the_code_is_in_both_catalogues() -> None:
    missing = {lang: sorted(used_keys() - set(CATALOGUES[lang])) for lang in CATALOGUES}
    assert missing == {"nb": [], "en": []}


def test_both_catalogues_have_the_same_keys() -> None:
    assert set(CATALOGUES["nb"]) == set(CATALOGUES["en"])


def test_language_from_argument_then_environment_then_project(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert resolve_language() == "nb"
    assert resolve_language(project_setting="en") == "en"
    monkeypatch.setenv("KODEBOK_LANG", "nn_NO.UTF-8")
    assert resolve_language(project_setting="en") == "nb"
    assert resolve_language("en", project_setting="nb") == "en"


def test_t_fills_fields_and_falls_back_to_the_key() -> None:
    try:
        set_language("en")
        assert t("status.segment", n=3, total=40) == "segment 3/40"
        assert t("no.such.key") == "no.such.key"
        set_language("nb")
        assert t("coding.coded", code="Medvirkning") == "Kodet med Medvirkning"
    finally:
        set_language("nb")
    assert i18n.current_language() == "nb"


def test_i18n_does_not_import_textual() -> None:
    code = "import sys, kodebok.i18n; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
