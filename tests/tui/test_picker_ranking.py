"""How the fuzzy code picker ranks codes: recent first, names before keywords before descriptions."""

from __future__ import annotations

from kodebok.models import Code
from kodebok.tui.dialogs.picker import rank_codes

CODES = [
    Code(1, None, "Helhetsperspektiv", "Helhetsperspektiv", description="Sammenheng i styringen"),
    Code(2, None, "Styringssystem", "Styringssystem", keywords=("årshjul", "styringskort")),
    Code(3, None, "Praksis", "Praksis"),
    Code(4, 3, "Medvirkning", "Praksis/Medvirkning", keywords=("involvering", "partssamarbeid")),
    Code(5, 3, "Initiering", "Praksis/Initiering", description="Hvem tok initiativet"),
]


def paths(query: str, recent: list[int] | None = None) -> list[str]:
    return [code.path for code, _ in rank_codes(query, CODES, recent or [])]


def test_empty_query_lists_recent_codes_first_then_the_tree() -> None:
    assert paths("", recent=[5, 2]) == [
        "Praksis/Initiering",
        "Styringssystem",
        "Helhetsperspektiv",
        "Praksis",
        "Praksis/Medvirkning",
    ]


def test_a_prefix_of_a_name_ranks_that_code_first() -> None:
    assert paths("medv")[0] == "Praksis/Medvirkning"
    assert paths("praksis/init")[0] == "Praksis/Initiering"


def test_keywords_and_descriptions_find_codes() -> None:
    assert paths("årshjul")[0] == "Styringssystem"
    assert paths("partssamarbeid")[0] == "Praksis/Medvirkning"
    assert "Praksis/Initiering" in paths("initiativet")


def test_spelling_variants_still_match() -> None:
    assert paths("medverknad")[0] == "Praksis/Medvirkning"
    assert paths("helhetsperspektiver")[0] == "Helhetsperspektiv"


def test_unrelated_text_matches_nothing_strongly() -> None:
    ranked = rank_codes("Ledelse", CODES, [])
    assert not ranked or ranked[0][1] < 80
