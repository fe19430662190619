"""QCA straight from coded data: presence rules and attribute tests become crisp conditions."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from click.testing import Result

DOCS = {
    "a": ("Alfa", "IP: Tillitsvalgte var med. Vi rapporterer mye."),
    "b": ("Beta", "IP: Tillitsvalgte var med fra start."),
    "c": ("Gamma", "IP: Vi rapporterer hvert tertial."),
    "d": ("Delta", "IP: Ingen av delene."),
}


def _project(tmp_path: Path, cli: Callable[..., Result]) -> None:
    for name, (case, text) in DOCS.items():
        path = tmp_path / f"{name}.txt"
        path.write_text(f"---\ncase: {case}\n---\nI: Spørsmål?\n{text}\n", encoding="utf-8")
        assert cli("import", str(path)).exit_code == 0
    for code in ("Medvirkning/Tillitsvalgte", "Rapportering", "Oppslutning"):
        assert cli("codebook", "add", code).exit_code == 0
    for name, (_, text) in DOCS.items():
        if "Tillitsvalgte" in text:
            cli("code", name, "2", "Tillitsvalgte")
        if "rapporterer" in text:
            cli("code", name, "2", "Rapportering")
        if name in ("a", "b"):
            cli("code", name, "2", "Oppslutning")
    for case, size in (("Alfa", "9000"), ("Beta", "2000"), ("Gamma", "12000"), ("Delta", "500")):
        assert cli("cases", "set", case, f"innbyggere={size}").exit_code == 0


def test_qca_table_from_codes_and_attributes(tmp_path: Path, cli: Callable[..., Result]) -> None:
    _project(tmp_path, cli)
    result = cli(
        "qca",
        "table",
        "--conditions",
        "Medvirkning/Tillitsvalgte,Rapportering,innbyggere>=8000",
        "--outcome",
        "Oppslutning",
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    # a derived column name keeps the whole condition: the code's path, the test's threshold
    assert lines[0] == "case,Medvirkning_Tillitsvalgte,Rapportering,innbyggere_ge_8000,Oppslutning"
    assert sorted(lines[1:]) == ["Alfa,1,1,1,1", "Beta,1,0,0,1", "Delta,0,0,0,0", "Gamma,0,1,1,0"]


def test_qca_outcome_column_keeps_its_path_and_notes_come_once(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    _project(tmp_path, cli)
    assert cli("codebook", "add", "Utfall/Fremmer").exit_code == 0
    for name in ("a", "b"):
        cli("code", name, "2", "Utfall/Fremmer")
    for command in ("table", "minimize"):
        result = cli(
            "qca",
            command,
            "--conditions",
            "Tillitsvalgte,innbyggere>=100",
            "--outcome",
            "Utfall/Fremmer",
        )
        assert result.exit_code == 0, result.output
        notes = [line for line in result.stderr.splitlines() if line.startswith("Note:")]
        # innbyggere>=100 holds in every case: said once, under the name the table uses
        assert notes == [
            "Note: condition 'innbyggere_ge_100' has the same value in every case and cannot "
            "explain the outcome"
        ]
    table = cli(
        "qca",
        "table",
        "--conditions",
        "Tillitsvalgte,innbyggere<1000",
        "--outcome",
        "Utfall/Fremmer",
    )
    assert table.stdout.splitlines()[0] == "case,Tillitsvalgte,innbyggere_lt_1000,Utfall_Fremmer"


def test_qca_minimize_from_the_project(tmp_path: Path, cli: Callable[..., Result]) -> None:
    _project(tmp_path, cli)
    result = cli(
        "qca",
        "minimize",
        "--conditions",
        "Tillitsvalgte,Rapportering",
        "--outcome",
        "Oppslutning",
        "--solution",
        "parsimonious",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    solution = json.loads(result.stdout)
    assert [m["terms"] for m in solution["models"]] == [["Tillitsvalgte"]]


def test_qca_needs_a_source(tmp_path: Path, cli: Callable[..., Result]) -> None:
    result = cli("qca", "table", "--outcome", "X")
    assert result.exit_code == 2
    assert "--conditions" in result.output
