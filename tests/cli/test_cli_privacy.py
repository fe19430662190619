"""privacy-check finds every planted identifier; no pseudonymised export of it leaks one."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path

from click.testing import Result

from kodebok.services.refi import validate_qdpx

DATA = Path(__file__).parent.parent / "data"
PLANTED = DATA / "privacy" / "fjellbygd_helseleder.txt"
XSD = DATA / "refi-qda" / "Project.xsd"
# every identifier planted in the transcript, as written
IDENTIFIERS = [
    "Ingrid Solberg",
    "3. mai 1975",
    "150372 10029",
    "ole hansen",
    "SIGRID BAKKEN",
    "Bakkeli",
    "Astrid",
    "912 34 567",
    "22 33 44 55",
    "48123456",
    "ingrid.solberg@fjellbygd.kommune.no",
    "Fjellvegen 12B",
    "Storgata 5",
    "7030",
    "Trondheim",
    "Hansen Bygg",
    "Fjellbygd",
]


def _project(tmp_path: Path, cli: Callable[..., Result]) -> None:
    doc = tmp_path / PLANTED.name
    doc.write_text(PLANTED.read_text(encoding="utf-8"), encoding="utf-8")
    assert cli("import", str(doc)).exit_code == 0
    assert cli("codebook", "add", "Samarbeid").exit_code == 0
    assert cli("codebook", "add", "Kontakt").exit_code == 0
    for number, code in (
        ("2", "Samarbeid"),
        ("4", "Samarbeid"),
        ("6", "Kontakt"),
        ("8", "Kontakt"),
    ):
        assert cli("code", "fjellbygd_helseleder", number, code, "--coder", "tester").exit_code == 0


def test_privacy_check_finds_every_planted_identifier(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    _project(tmp_path, cli)
    result = cli("privacy-check", "--format", "json")
    assert result.exit_code == 1
    hits = json.loads(result.output)
    found = " ".join(h["match"] for h in hits)
    for identifier in IDENTIFIERS:
        assert identifier in found, identifier
    assert all(h["source"] for h in hits)
    text = cli("privacy-check")
    assert "pattern:national-id" in text.output
    assert "gazetteer" in text.output


def test_pseudonymised_exports_leak_nothing(tmp_path: Path, cli: Callable[..., Result]) -> None:
    _project(tmp_path, cli)
    out = tmp_path / "deling"
    out.mkdir()
    for args in (
        ("codings", "export", "--pseudonymise", "-o", str(out / "kodinger.csv")),
        (
            "codings",
            "export",
            "--pseudonymise",
            "--format",
            "json",
            "-o",
            str(out / "kodinger.json"),
        ),
        ("quotes", "--pseudonymise", "-o", str(out / "sitater.md")),
        ("quotes", "--pseudonymise", "--by", "case", "-o", str(out / "sitater.csv")),
        ("quotes", "--pseudonymise", "--by", "case", "-o", str(out / "sitater.html")),
        ("quotes", "--pseudonymise", "-o", str(out / "sitater.docx")),
        ("export", "qdpx", "--pseudonymise", str(out / "prosjekt.qdpx")),
    ):
        result = cli(*args, "--coder", "tester") if args[0] != "quotes" else cli(*args)
        assert result.exit_code == 0, (args, result.output)
    from kodebok.services.privacy import export_text

    everything = "\n".join(export_text(p) for p in out.iterdir() if p.suffix != ".qdpx")
    with zipfile.ZipFile(out / "prosjekt.qdpx") as zf:
        everything += "\n".join(zf.read(n).decode("utf-8") for n in zf.namelist())
    for identifier in IDENTIFIERS:
        assert identifier not in everything, identifier
    assert "[telefon]" in everything
    assert "[fødselsnummer]" in everything
    leftovers = cli("privacy-check", "--in", str(out), "--format", "json")
    assert json.loads(leftovers.output) == [], leftovers.output
    assert leftovers.exit_code == 0
    # the same person has the same placeholder in every export, and the map records it
    rows = {r["real"]: r["pseudonym"] for r in _map(cli, tmp_path / "kart.csv")}
    person = rows["Ingrid Solberg"]
    assert person.startswith("Person ")
    for name in ("kodinger", "sitater", "prosjekt"):
        exported = "\n".join(
            export_text(p)
            if p.suffix != ".qdpx"
            else "\n".join(
                zipfile.ZipFile(p).read(n).decode("utf-8") for n in zipfile.ZipFile(p).namelist()
            )
            for p in out.iterdir()
            if p.stem == name
        )
        assert f"heter {person} og" in exported, name
    # the case got its "Kommune n" once, the same in the text and in attributions
    kommune = rows["Fjellbygd"]
    assert f"i {kommune}." in everything
    assert f"{kommune})" in everything


def _map(cli: Callable[..., Result], path: Path) -> list[dict[str, str]]:
    import csv

    assert cli("pseudonyms", "export", "-o", str(path)).exit_code == 0
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_pseudonymised_qdpx_is_valid_and_selections_follow_the_text(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    _project(tmp_path, cli)
    plain, pseudo = tmp_path / "a.qdpx", tmp_path / "b.qdpx"
    assert cli("export", "qdpx", str(plain)).exit_code == 0
    assert cli("export", "qdpx", "--pseudonymise", str(pseudo), "--coder", "t").exit_code == 0
    data = pseudo.read_bytes()
    assert validate_qdpx(data, XSD) == []
    # the plain export: its GUIDs, offsets and dates are no phone numbers or birth dates
    hits = json.loads(cli("privacy-check", "--in", str(plain), "--format", "json").output)
    assert sorted(h["match"] for h in hits if h["kind"] == "phone") == [
        "+47 22 33 44 55",
        "48123456",
        "912 34 567",
    ]
    assert [h["match"] for h in hits if h["kind"] == "birthdate"] == ["født 3. mai 1975"]
    from lxml import etree

    def selections(blob: bytes) -> list[str]:
        with zipfile.ZipFile(io.BytesIO(blob)) as zf:
            root = etree.fromstring(zf.read("project.qde"))
            ns = {"q": "urn:QDA-XML:project:1.0"}
            src = root.find(".//q:TextSource", ns)
            assert src is not None
            text = zf.read(f"sources/{src.get('guid')}.txt").decode("utf-8")
            return [
                text[int(s.get("startPosition")) : int(s.get("endPosition"))]
                for s in src.findall("q:PlainTextSelection", ns)
            ]

    before, after = selections(plain.read_bytes()), selections(data)
    # the 4 codings, and each speaker's turns (a speaker is a Case of its selections)
    assert len(before) == len(after) == 8
    assert any("912 34 567" in s for s in before)
    # each selection still covers its turn: same start words, the identifiers replaced
    for old, new in zip(before, after, strict=True):
        assert old.split()[:1] == new.split()[:1]
        assert new.rstrip().endswith(old.rstrip()[-1])
    assert any("[telefon]" in s for s in after)
    assert not any("912 34 567" in s for s in after)


def test_a_passage_loses_a_name_the_rest_of_its_document_gives_away(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    doc = tmp_path / "nordvik_leder.txt"
    doc.write_text(
        "I: Hvem bestemte?\nIP: Vi snakket med Sagbakken om det.\nI: Og så?\n"
        "IP: Sagbakken sa nei til hele greia.\n",
        encoding="utf-8",
    )
    assert cli("import", str(doc)).exit_code == 0
    assert cli("codebook", "add", "Beslutning").exit_code == 0
    assert cli("code", "nordvik_leder", "4", "Beslutning", "--coder", "t").exit_code == 0
    out = tmp_path / "k.csv"
    assert cli("codings", "export", "--pseudonymise", "--coder", "t", "-o", str(out)).exit_code == 0
    exported = out.read_text(encoding="utf-8")
    assert "Sagbakken" not in exported
    assert "Navn 1 sa nei" in exported
