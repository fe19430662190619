"""Property tests: any input either parses or raises CodebookError, and writing round-trips."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kodebok.codebook import (
    Codebook,
    CodeSpec,
    decode_text,
    format_codebook,
    parse_csv_codebook,
    parse_markdown_codebook,
    parse_qdc_codebook,
    parse_yaml_codebook,
)
from kodebok.errors import CodebookError

TEXT_PARSERS: list[Callable[[str, str], Codebook]] = [
    parse_yaml_codebook,
    parse_csv_codebook,
    parse_markdown_codebook,
]
# characters that make the structure of each format, so random text reaches the deeper code
SYNTAX = st.sampled_from([*list(" \t\n-:#,;\"'[]{}&*!|>/\\æøå"), "name: ", "codes:\n", "  - "])
CODEBOOK_TEXT = st.one_of(st.text(), st.lists(st.one_of(SYNTAX, st.text(max_size=3))).map("".join))
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def accepts_or_refuses(parse: Callable[[str, str], Codebook], text: str) -> None:
    try:
        result = parse(text, "fuzz")
    except CodebookError as exc:
        assert str(exc).startswith("fuzz")
    else:
        assert isinstance(result, Codebook)


@FUZZ
@given(CODEBOOK_TEXT)
def test_random_text_into_every_text_parser_parses_or_raises_codebook_error(text: str) -> None:
    for parse in TEXT_PARSERS:
        accepts_or_refuses(parse, text)


@FUZZ
@given(st.binary())
def test_random_bytes_into_every_parser_parses_or_raises_codebook_error(data: bytes) -> None:
    with contextlib.suppress(CodebookError):
        parse_qdc_codebook(data, "fuzz")
    try:
        text = decode_text(data, "fuzz")
    except CodebookError:
        return
    for parse in TEXT_PARSERS:
        accepts_or_refuses(parse, text)


XML_PIECES = st.sampled_from(
    [
        '<CodeBook xmlns="urn:QDA-XML:codebook:1.0">',
        "<Codes>",
        "</Codes>",
        '<Code name="A" isCodable="true">',
        '<Code name="A/B" color="#fff">',
        "<Code>",
        "</Code>",
        "<Description>",
        "</Description>",
        "</CodeBook>",
        "Nøkkelord: a; b",
        "&amp;",
        "\n",
    ]
)


@FUZZ
@given(st.lists(st.one_of(XML_PIECES, st.text(max_size=3))).map("".join))
def test_random_xml_like_input_parses_or_raises_codebook_error(text: str) -> None:
    with contextlib.suppress(CodebookError):
        parse_qdc_codebook(text.encode("utf-8", "surrogatepass"), "fuzz")


NAMES = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=12
).filter(lambda s: "/" not in s and s.strip() != "" and s.isprintable())
WORDS = st.text(alphabet="abcæøå -", min_size=1, max_size=10).filter(lambda s: s.strip())


@st.composite
def codebooks(draw: st.DrawFn, depth: int = 0) -> list[CodeSpec]:
    names = draw(st.lists(NAMES, max_size=4, unique_by=lambda n: " ".join(n.split()).casefold()))
    codes = []
    for name in names:
        children = draw(codebooks(depth + 1)) if depth < 2 else []
        codes.append(
            CodeSpec(
                name=" ".join(name.split()),
                description=draw(st.sampled_from(["", "Kort tekst.", "To\nlinjer æøå"])),
                keywords=tuple(dict.fromkeys(" ".join(w.split()) for w in draw(st.lists(WORDS)))),
                color=draw(st.sampled_from([None, "#4e79a7", "#000000"])),
                children=children,
            )
        )
    return codes


@FUZZ
@given(codebooks())
def test_any_valid_codebook_round_trips_through_every_format(codes: list[CodeSpec]) -> None:
    book = Codebook(codes=codes)
    expected = [(p, s.description, s.keywords, s.color) for p, s in book.walk()]
    outputs: dict[str, Callable[[str], Codebook]] = {
        "yaml": lambda t: parse_yaml_codebook(t, "x"),
        "csv": lambda t: parse_csv_codebook(t, "x"),
        "md": lambda t: parse_markdown_codebook(t, "x") if codes else Codebook(),
        "qdc": lambda t: parse_qdc_codebook(t.encode(), "x"),
    }
    for fmt, parse in outputs.items():
        again = parse(format_codebook(book, fmt))
        assert [(p, s.description, s.keywords, s.color) for p, s in again.walk()] == expected, fmt
