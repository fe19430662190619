"""Hostile and odd files are refused quickly, with a clear message, and leave the project as it was.

Every test starts from a copy of the demo project, imports a file built in ``tmp_path`` through
the CLI, and checks the exit code, the message, the project's integrity and that its codings
(indeed all its tables) are unchanged.
"""

from __future__ import annotations

import itertools
import random
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.conftest import codings_snapshot, integrity_ok, table_checksum


@dataclass
class Demo:
    """A copy of the demo project with its state before the test."""

    path: Path
    codings: list[tuple[object, ...]]
    checksum: str

    def run(self, *args: str) -> Result:
        from kodebok.cli import main

        return CliRunner().invoke(main, ["-p", str(self.path), *args], catch_exceptions=False)

    def assert_unchanged(self) -> None:
        assert integrity_ok(self.path)
        assert codings_snapshot(self.path) == self.codings
        assert table_checksum(self.path) == self.checksum


@pytest.fixture
def demo(demo_project: Path) -> Iterator[Demo]:
    return Demo(demo_project, codings_snapshot(demo_project), table_checksum(demo_project))


def _refused(demo: Demo, path: Path, *needles: str) -> Result:
    """Import ``path``; it must fail with exit 2, naming the file and ``needles``.

    How fast a bomb is refused is measured by ``kodebok bench`` (stage input-limits), not here.
    """
    result = demo.run("import", str(path))
    assert result.exit_code == 2, result.output
    assert path.name in result.stderr
    for needle in needles:
        assert needle in result.stderr, result.stderr
    assert "Traceback" not in result.output
    demo.assert_unchanged()
    return result


TURNS = "I: Hvordan jobber dere med mål?\n\nIP: Vi har styringskort.\n"


# --- YAML front matter: the same loader as codebooks -------------------------------------


def _alias_bomb(levels: int = 9) -> str:
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for prev, name in itertools.pairwise("abcdefghijklmnop"[:levels]):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines)


def test_front_matter_alias_bomb_is_refused_at_once(demo: Demo, tmp_path: Path) -> None:
    path = tmp_path / "bombe.txt"
    path.write_text(f"---\n{_alias_bomb()}\n---\n\n{TURNS}", encoding="utf-8")
    # the first alias is on line 3 of the file
    _refused(demo, path, "bombe.txt, line 3", "aliases")


def test_front_matter_recursive_alias_gives_a_clear_error(demo: Demo, tmp_path: Path) -> None:
    path = tmp_path / "rekursiv.txt"
    path.write_text(f"---\ntittel: x\na: &a [*a]\n---\n\n{TURNS}", encoding="utf-8")
    _refused(demo, path, "rekursiv.txt, line 3", "aliases (& and *) are not supported")


def test_front_matter_nested_too_deeply_is_refused(demo: Demo, tmp_path: Path) -> None:
    path = tmp_path / "dyp.txt"
    path.write_text(f"---\na: {'[' * 1000}1{']' * 1000}\n---\n\n{TURNS}", encoding="utf-8")
    _refused(demo, path, "dyp.txt, line 2", "nested more than")


def test_front_matter_without_aliases_still_imports(demo: Demo, tmp_path: Path) -> None:
    path = tmp_path / "vanlig.txt"
    path.write_text(
        f"---\nkommune: Nordvik\ndato: 2024-03-01\nspeakers:\n  IP: {{role: rektor}}\n---\n\n"
        f"{TURNS}",
        encoding="utf-8",
    )
    result = demo.run("import", str(path))
    assert result.exit_code == 0, result.output
    assert integrity_ok(demo.path)
    assert codings_snapshot(demo.path) == demo.codings


def test_codebook_and_front_matter_share_one_loader(tmp_path: Path) -> None:
    """The codebook parser refuses the same bomb through the same loader."""
    from kodebok.codebook import parse_yaml_codebook
    from kodebok.errors import CodebookError

    with pytest.raises(CodebookError, match=r"bok\.yaml, line 2: anchors and aliases"):
        parse_yaml_codebook(f"{_alias_bomb()}\ncodes: [A]\n", "bok.yaml")


# --- NFC in linear time ------------------------------------------------------------------


def _quadratic_positions(original: str) -> tuple[str, list[int]]:
    """The old mapping (NFC of every prefix), as the reference on small inputs."""
    text = original.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    mapping: list[int] = []
    pos, i = 0, 0
    while i < len(original):
        mapping.append(pos)
        if original[i] == "\r" and original[i + 1 : i + 2] == "\n":
            mapping.append(pos)
            i += 1
        if not (i == 0 and original[0] == "\ufeff"):
            pos += 1
        i += 1
    mapping.append(pos)
    prefix = [len(unicodedata.normalize("NFC", text[:k])) for k in range(len(text) + 1)]
    return unicodedata.normalize("NFC", text), [prefix[p] for p in mapping]


def test_positions_equal_the_prefix_definition_on_odd_text() -> None:
    from kodebok.exchange.refi_read import normalised_positions

    rng = random.Random(15)
    alphabet = "ae o\r\n\ufeff\u0301\u0300\u0316\u0323\u030a\u212b\u00e5\u1100\u1161\u11a8\u0344"
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 24)))
        expected_text, expected = _quadratic_positions(text)
        got_text, got = normalised_positions(text)
        assert got_text == expected_text
        assert [got[p] for p in range(len(text) + 1)] == expected, repr(text)


def test_decomposed_text_normalises_to_the_composed_text() -> None:
    """Long runs of accents normalise correctly (how fast: ``kodebok bench``, input-limits)."""
    from kodebok.exchange.refi_read import normalised_positions
    from kodebok.textnorm import nfc

    nfd = "e\u0301" * 100_000  # 200 000 characters, every second one an accent
    text, pos = normalised_positions(nfd)
    assert text == "é" * 100_000
    assert pos[200_000] == 100_000
    assert (pos[2], pos[3]) == (1, 2)
    # mixed-order accents: canonical order puts the below-accents (class 220) first
    marks = "a" + "\u0301\u0316" * 80_000
    assert nfc(marks) == unicodedata.normalize("NFC", "a" + "\u0316" * 80_000 + "\u0301" * 80_000)


def test_transcript_with_a_hundred_thousand_stacked_accents_imports(
    demo: Demo, tmp_path: Path
) -> None:
    path = tmp_path / "aksenter.txt"
    accents = "\u0301\u0316" * 50_000
    path.write_text(f"{TURNS}IP: Ja{accents}.\n", encoding="utf-8")
    result = demo.run("import", str(path))
    assert result.exit_code == 0, result.output
    assert integrity_ok(demo.path)
    assert codings_snapshot(demo.path) == demo.codings


# --- .qdpx archives: totals over all members, forged sizes, damaged archives ----------------

QDE_HEAD = (
    '<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="urn:QDA-XML:project:1.0" name="x">'
)


def _qde(sources: int) -> str:
    items = "".join(
        f'<TextSource guid="00000000-0000-0000-0000-{i:012d}" name="s{i}.txt" '
        f'plainTextPath="internal://s{i}.txt"/>'
        for i in range(sources)
    )
    return f"{QDE_HEAD}<Sources>{items}</Sources></Project>"


def _qdpx(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("project.qde", _qde(len(members)))
        for name, data in members.items():
            zf.writestr(f"sources/{name}", data)
    return path


def _text(size: int, seed: int = 0) -> bytes:
    """Interview-like text that compresses about as well as real text (3–4×)."""
    rng = random.Random(seed)
    words = ["".join(rng.choice("abdefghiklmnoprstuvyæøå") for _ in range(6)) for _ in range(999)]
    out = " ".join(rng.choice(words) for _ in range(size // 5)).encode()
    return b"IP: " + out[: size - 4]


def _forge_size(path: Path, member: str, size: int) -> None:
    """Write ``size`` as the uncompressed size of ``member`` in both of its zip headers."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    for signature, size_at, name_len_at, name_at in (
        (b"PK\x01\x02", 24, 28, 46),
        (b"PK\x03\x04", 22, 26, 30),
    ):
        at = data.find(signature)
        while at >= 0:
            length = struct.unpack_from("<H", data, at + name_len_at)[0]
            if bytes(data[at + name_at : at + name_at + length]) == name:
                struct.pack_into("<I", data, at + size_at, size)
            at = data.find(signature, at + 4)
    path.write_bytes(bytes(data))


def test_qdpx_compression_ratio_is_checked_over_all_members(demo: Demo, tmp_path: Path) -> None:
    # each member alone is small and passes any per-member check; together they are a bomb
    members = {f"s{i}.txt": b"\0" * (256 * 1024) for i in range(48)}
    path = _qdpx(tmp_path / "mange.qdpx", members)
    _refused(demo, path, "mange.qdpx: refused", "would unpack to 12 MB", "zip bomb")


def test_qdpx_total_declared_size_is_checked_before_reading(
    demo: Demo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kodebok.exchange import refi_read

    monkeypatch.setattr(refi_read, "MAX_TOTAL_BYTES", 400 * 1024)
    members = {f"s{i}.txt": _text(100 * 1024, i) for i in range(5)}
    path = _qdpx(tmp_path / "stor.qdpx", members)
    _refused(demo, path, "stor.qdpx: refused: its 6 files unpack to", "up to 400 KB")


def test_qdpx_bytes_really_inflated_are_counted_over_all_texts(
    demo: Demo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kodebok.exchange import refi_read

    monkeypatch.setattr(refi_read, "MAX_TEXT_BYTES", 250 * 1024)
    members = {f"s{i}.txt": _text(100 * 1024, i) for i in range(3)}
    path = _qdpx(tmp_path / "tekster.qdpx", members)
    _refused(demo, path, "tekster.qdpx: refused: the texts in the archive unpack to more than")


def test_qdpx_one_text_above_the_transcript_limit_is_named(
    demo: Demo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kodebok.exchange import refi_read

    monkeypatch.setattr(refi_read, "MAX_SOURCE_BYTES", 64 * 1024)
    path = _qdpx(tmp_path / "en.qdpx", {"s0.txt": _text(100 * 1024)})
    _refused(demo, path, "en.qdpx: 'sources/s0.txt' is 100 KB", "texts up to 64 KB")


@pytest.mark.parametrize(
    ("declared", "problem"),
    [
        (100, "the checksum does not match"),  # more data than declared
        (10**6, "bytes instead of the declared 1000000"),  # less data than declared
    ],
)
def test_qdpx_forged_member_size_is_a_clear_error(
    demo: Demo, tmp_path: Path, declared: int, problem: str
) -> None:
    path = _qdpx(tmp_path / "forfalsket.qdpx", {"s0.txt": TURNS.encode() * 200})
    _forge_size(path, "sources/s0.txt", declared)
    _refused(demo, path, "forfalsket.qdpx: 'sources/s0.txt' is damaged or its sizes", problem)


def test_qdpx_checksum_mismatch_is_a_clear_error(demo: Demo, tmp_path: Path) -> None:
    path = _qdpx(tmp_path / "crc.qdpx", {"s0.txt": TURNS.encode() * 200})
    data = bytearray(path.read_bytes())
    central = data.find(b"PK\x01\x02", data.find(b"PK\x01\x02") + 4)  # the source's entry
    data[central + 16] ^= 0xFF
    path.write_bytes(bytes(data))
    result = _refused(demo, path, "crc.qdpx: 'sources/s0.txt'", "checksum does not match")
    assert "BadZipFile" not in result.output


@pytest.mark.parametrize("cut", [0.5, 0.97])
def test_qdpx_truncated_archive_is_a_clear_error(demo: Demo, tmp_path: Path, cut: float) -> None:
    path = _qdpx(tmp_path / "avkuttet.qdpx", {"s0.txt": _text(50 * 1024)})
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * cut)])
    _refused(demo, path, "avkuttet.qdpx: not a .qdpx file", "truncated")


def test_a_text_file_named_qdpx_is_a_clear_error(demo: Demo, tmp_path: Path) -> None:
    path = tmp_path / "notat.qdpx"
    path.write_text(TURNS, encoding="utf-8")
    _refused(demo, path, "notat.qdpx: not a .qdpx file (not a zip archive")


def test_qdpx_within_the_limits_still_imports(demo: Demo, tmp_path: Path) -> None:
    path = _qdpx(tmp_path / "ok.qdpx", {"s0.txt": TURNS.encode(), "s1.txt": _text(20 * 1024)})
    result = demo.run("import", str(path))
    assert result.exit_code == 0, result.output
    assert integrity_ok(demo.path)
    assert codings_snapshot(demo.path) == demo.codings


# --- Large transcripts: a clear limit before anything is read into memory ------------------


def test_a_transcript_above_the_limit_is_refused_before_reading(
    demo: Demo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kodebok.ingest import document

    monkeypatch.setattr(document, "MAX_TEXT_BYTES", 2 * 1024 * 1024)
    path = tmp_path / "intervju.txt"
    with path.open("wb") as fh:  # 3 MB on disk without writing 3 MB: a sparse file
        fh.truncate(3 * 1024 * 1024)
    read = []
    monkeypatch.setattr(document, "_read_bytes", lambda *a: read.append(a) or b"")
    result = _refused(demo, path)
    assert "intervju.txt is 3 MB; kodebok imports transcripts up to 2 MB — split it into parts" in (
        result.stderr
    )
    assert not read  # refused on its size, not after reading it


@pytest.mark.parametrize("name", ["intervju.txt", "intervju.md", "opptak.vtt", "opptak.srt"])
def test_the_real_limit_is_twenty_megabytes(demo: Demo, tmp_path: Path, name: str) -> None:
    from kodebok.ingest import document

    assert document.MAX_TEXT_BYTES == 20 * 1024 * 1024
    path = tmp_path / name
    with path.open("wb") as fh:
        fh.truncate(200 * 1000 * 1000)  # sparse: takes no disk space or time
    result = _refused(demo, path)
    assert f"{name} is 191 MB; kodebok imports transcripts up to 20 MB" in result.stderr


def test_a_folder_with_one_huge_transcript_imports_the_others(demo: Demo, tmp_path: Path) -> None:
    folder = tmp_path / "mappe"
    folder.mkdir()
    (folder / "a_vanlig.txt").write_text(TURNS, encoding="utf-8")
    with (folder / "b_stor.txt").open("wb") as fh:
        fh.truncate(200 * 1000 * 1000)
    result = demo.run("import", str(folder))
    assert result.exit_code == 1, result.output
    assert "b_stor.txt is 191 MB" in result.stderr
    assert "a_vanlig" in result.output
    assert integrity_ok(demo.path)
    assert codings_snapshot(demo.path) == demo.codings


def test_a_transcript_at_the_limit_imports(
    demo: Demo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kodebok.ingest import document

    path = tmp_path / "lang.txt"
    path.write_text(TURNS * 2000, encoding="utf-8")
    monkeypatch.setattr(document, "MAX_TEXT_BYTES", path.stat().st_size)
    result = demo.run("import", str(path))
    assert result.exit_code == 0, result.output
    assert "lang: 4000 segments" in result.output
    assert integrity_ok(demo.path)
    assert codings_snapshot(demo.path) == demo.codings


def test_the_text_of_a_docx_has_the_transcript_limit(
    demo: Demo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import docx

    from kodebok.ingest import document

    monkeypatch.setattr(document, "MAX_TEXT_BYTES", 64 * 1024)
    word = docx.Document()
    for _ in range(2000):
        word.add_paragraph("IP: Vi har styringskort og tertialrapporter i kommunen.")
    path = tmp_path / "rapport.docx"
    word.save(str(path))
    _refused(demo, path, "rapport.docx holds 111 KB of text", "up to 64 KB — split it into parts")


def test_a_zip_bomb_docx_is_refused_before_parsing(demo: Demo, tmp_path: Path) -> None:
    import docx

    word = docx.Document()
    word.add_paragraph("IP: Hei.")
    plain = tmp_path / "plain.docx"
    word.save(str(plain))
    path = tmp_path / "bombe.docx"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/document.xml":
                filler = b"<w:p><w:r><w:t>" + b"x " * (8 * 2**20) + b"</w:t></w:r></w:p>"
                data = data.replace(b"<w:body>", b"<w:body>" + filler)
            out.writestr(info.filename, data)
    _refused(demo, path, "bombe.docx: refused", "would unpack to 16 MB (a zip bomb?)")


# --- Odd files ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("tom.txt", b"", "tom.txt: the file is empty"),
        ("blank.txt", b"  \n\n \t\n", "blank.txt: the file contains no text"),
        ("bilde.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "looks like a PNG image, not text"),
        ("tilfeldig.txt", random.Random(3).randbytes(4096), "looks like a binary file, not text"),
        ("nul.txt", b"I: Hei\x00 der.\nIP: Hei.\n", "contains NUL bytes (the first at byte 6)"),
        ("utf16.txt", "I: Hei der.\nIP: Hei.\n".encode("utf-16-le"), "UTF-16 text without"),
        ("tom.docx", b"", "tom.docx: the file is empty"),
        ("tekst.docx", TURNS.encode(), "tekst.docx: not a valid .docx (not a zip archive)"),
        ("tekst.pdf", TURNS.encode(), "tekst.pdf: not a readable PDF"),
    ],
)
def test_odd_files_give_clear_messages(
    demo: Demo, tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    _refused(demo, path, message)


def _pdf_with_content(content: bytes) -> bytes:
    """A one-page PDF whose page content is ``content``, deflated."""
    packed = zlib.compress(content, 9)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def test_a_decompression_bomb_pdf_is_refused_clearly(demo: Demo, tmp_path: Path) -> None:
    import pypdf

    content = b"BT /F1 12 Tf 72 720 Td " + b"(IP: Vi har styringskort.) Tj T* " * 60_000 + b"ET"
    path = tmp_path / "bombe.pdf"
    path.write_bytes(_pdf_with_content(content))
    # pypdf's own limit is 75 MB per stream; lowered so the test need not build 75 MB
    with pypdf.apply_configuration(zlib_maximum_output_length=1_000_000):
        _refused(demo, path, "bombe.pdf: refused", "decompression bomb")


def test_qdpx_project_file_above_its_limit_is_refused(
    demo: Demo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kodebok.exchange import refi_read

    monkeypatch.setattr(refi_read, "MAX_QDE_BYTES", 2048)
    path = _qdpx(tmp_path / "prosjekt.qdpx", {f"s{i}.txt": TURNS.encode() for i in range(30)})
    _refused(demo, path, "prosjekt.qdpx: 'project.qde' is 3 KB", "project files up to 2 KB")
