"""The journal stores what an operation did as a code with parameters; undo, redo and history
say it in the chosen language (``$KODEBOK_LANG``, else the project's setting, else Norwegian).

Every operation kind is done through its service, then undone in English, redone in English
and undone again in Norwegian through the CLI: each message is checked whole, numbers included.
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kodebok.cli import main
from kodebok.i18n import CATALOGUES, change_text, count_text, journal_text
from kodebok.services import cases, codes, coding, nlp, privacy, search, team
from kodebok.services.analysis.presence import clear_presence, set_presence
from kodebok.services.documents import ImportOptions
from kodebok.services.importing import import_paths
from kodebok.store import Project
from kodebok.store import queries as q
from kodebok.store.project import JournalEntry
from kodebok.store.schema import MIGRATIONS
from tests.tui.conftest import build_project

ROOT = Path(__file__).resolve().parents[2]
ME = "tester"  # $KODEBOK_CODER in every test (tests/conftest.py)


def kodebok(path: Path, *args: str, lang: str | None = None) -> Result:
    """``kodebok -p PATH ARGS`` with ``$KODEBOK_LANG`` set to ``lang`` (unset for None)."""
    env = {"KODEBOK_LANG": lang} if lang else {}
    return CliRunner().invoke(main, ["-p", str(path), *args], env=env, catch_exceptions=False)


def seg_id(p: Project, document: str, number: int) -> int:
    return q.segment(p, q.document(p, document).id, number - 1).id


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# -- one function per operation kind: does it on the fixture project (tests/tui/conftest.py) ----


def op_code_segment(p: Project, tmp: Path) -> None:
    coding.code_segment(p, "nordvik_radmann", 1, "Helhetsperspektiv", coder=ME)


def op_uncode_segment(p: Project, tmp: Path) -> None:
    coding.code_segment(p, "nordvik_radmann", 1, "Helhetsperspektiv", coder=ME)
    coding.uncode(p, "nordvik_radmann", 1, "Helhetsperspektiv", coder=ME)


def op_memo_coding(p: Project, tmp: Path) -> None:
    result = coding.code_segment(p, "nordvik_radmann", 1, "Helhetsperspektiv", coder=ME)
    coding.set_coding_memo(p, result.coding_id, "tydelig", coder=ME)


def op_memo_segment(p: Project, tmp: Path) -> None:
    coding.write_memo(p, "segment", seg_id(p, "fjellbygd_ordforar", 4), "notat", coder=ME)


def op_memo_document(p: Project, tmp: Path) -> None:
    doc = q.document(p, "fjellbygd_ordforar")
    coding.write_memo(p, "document", doc.id, "notat", coder=ME)


def op_memo_other(p: Project, tmp: Path) -> None:
    coding.write_memo(p, "project", None, "prosjektnotat", coder=ME)


def op_import_codings(p: Project, tmp: Path) -> None:
    table = write(
        tmp / "kodinger.csv",
        "document,number,code\n"
        "nordvik_radmann,4,Praksis/Initiering\n"
        "fjellbygd_ordforar,2,Praksis/Medvirkning\n",
    )
    coding.import_codings_table(p, table, coder=ME)


def op_import_document(p: Project, tmp: Path) -> None:
    text = "I: Hvordan startet det?\n\nIP: Med et vedtak i kommunestyret.\n"
    import_paths(p, [write(tmp / "sjobygd_rektor.txt", text)], ImportOptions(coder=ME), nlp=False)


def op_import_update(p: Project, tmp: Path) -> None:
    old = q.document(p, "nordvik_radmann").text
    revised = write(tmp / "nordvik_radmann.txt", old.replace("enkelt", "ganske enkelt"))
    [result] = import_paths(p, [revised], ImportOptions(update=True, coder=ME), nlp=False)
    assert result.status == "updated", result


def op_import_qdpx(p: Project, tmp: Path) -> Path:
    """Exports the project as REFI-QDA and imports it into a new one (which the test undoes)."""
    archive = tmp / "nordvik.qdpx"
    assert kodebok(p.path, "export", "qdpx", str(archive)).exit_code == 0
    fresh = tmp / "ny.kodebok"
    Project.create(fresh).close()
    with Project.open(fresh) as new:
        import_paths(new, [archive], ImportOptions(coder=ME), nlp=False)
    return fresh


def op_set_pseudonym(p: Project, tmp: Path) -> None:
    privacy.set_pseudonym(p, "Nordvik", "Kommune A", "place", coder=ME)


def op_add_pseudonyms(p: Project, tmp: Path) -> None:
    names = privacy.Pseudonymiser.for_project(p)
    names.pseudonym("Ola Hansen", "person")
    names.save(coder=ME)


def op_remove_pseudonym(p: Project, tmp: Path) -> None:
    privacy.set_pseudonym(p, "Nordvik", "Kommune A", "place", coder=ME)
    privacy.remove_pseudonym(p, "Nordvik", coder=ME)


def op_code_hits(p: Project, tmp: Path) -> None:
    ids = [seg_id(p, "nordvik_radmann", 4), seg_id(p, "fjellbygd_ordforar", 2)]
    search.code_segments(p, ids, "Praksis/Medvirkning", coder=ME)


def op_code_all_hits(p: Project, tmp: Path) -> None:
    _, result = search.code_all_hits(p, "tillitsvalgte", "Medvirkning", coder=ME)
    assert result.added == 1


def op_accept_feedback(p: Project, tmp: Path) -> None:
    code = q.code(p, "Praksis/Initiering")
    nlp.record_feedback(p, seg_id(p, "nordvik_radmann", 4), code.id, True, ME)


def op_reject_feedback(p: Project, tmp: Path) -> None:
    code = q.code(p, "Praksis/Initiering")
    nlp.record_feedback(p, seg_id(p, "nordvik_radmann", 4), code.id, False, ME)


def op_accept_suggestion(p: Project, tmp: Path) -> None:
    nlp.accept_suggestion(p, seg_id(p, "nordvik_radmann", 4), "Praksis/Initiering", ME)


def op_merge_project(p: Project, tmp: Path) -> None:
    other = tmp / "per.kodebok"
    shutil.copyfile(p.path, other)
    with Project.open(other) as o:
        coding.code_segment(o, "nordvik_radmann", 3, "Praksis/Initiering", coder="per")
        coding.code_segment(o, "fjellbygd_ordforar", 1, "Praksis/Medvirkning", coder="per")
    team.merge_project(p, other, coder=ME)


def op_resolve(p: Project, tmp: Path) -> None:
    sid = seg_id(p, "nordvik_radmann", 2)
    team.resolve_disagreement(p, sid, "Styringssystem", "with", coders=["ola", ME], coder=ME)


def op_set_case_attributes(p: Project, tmp: Path) -> None:
    cases.set_case_attributes(p, "Nordvik", {"innbyggere": "9000"}, coder=ME)


def op_assign_case(p: Project, tmp: Path) -> None:
    cases.assign_document(p, "nordvik_radmann", "Fjellbygd", coder=ME)


def op_unassign_case(p: Project, tmp: Path) -> None:
    cases.assign_document(p, "nordvik_radmann", "-", coder=ME)


def op_import_cases(p: Project, tmp: Path) -> None:
    table = write(tmp / "caser.csv", "case,innbyggere\nNordvik,9000\nSjøbygd,2000\n")
    cases.import_cases_table(p, table, coder=ME)


def op_import_speakers(p: Project, tmp: Path) -> None:
    table = write(tmp / "talere.csv", "document,label,rolle\nnordvik_radmann,IP,rådmann\n")
    cases.import_speakers_table(p, table, coder=ME)


def op_set_speaker_attributes(p: Project, tmp: Path) -> None:
    cases.set_speaker_attributes(p, "nordvik_radmann", "IP", {"rolle": "rådmann"}, coder=ME)


def op_import_document_table(p: Project, tmp: Path) -> None:
    table = write(
        tmp / "dokumenter.csv",
        "document,bølge\nnordvik_radmann,vår 2024\nfjellbygd_ordforar,vår 2024\n",
    )
    cases.import_documents_table(p, table, coder=ME)


def op_set_presence(p: Project, tmp: Path) -> None:
    set_presence(p, "Nordvik", "Styringssystem", 1, note="sagt", coder=ME)


def op_clear_presence(p: Project, tmp: Path) -> None:
    set_presence(p, "Nordvik", "Styringssystem", 1, note="sagt", coder=ME)
    clear_presence(p, "Nordvik", "Styringssystem", coder=ME)


def op_create_code(p: Project, tmp: Path) -> None:
    codes.create_code(p, "Økonomi/Budsjett", coder=ME)


def op_update_code(p: Project, tmp: Path) -> None:
    codes.update_code(p, "Praksis/Initiering", coder=ME, description="Hvem tok initiativet")


def op_rename_code(p: Project, tmp: Path) -> None:
    codes.rename_code(p, "Praksis/Initiering", "Oppstart", coder=ME)


def op_move_code(p: Project, tmp: Path) -> None:
    codes.move_code(p, "Praksis/Initiering", None, coder=ME)


def op_merge_codes(p: Project, tmp: Path) -> None:
    codes.merge_codes(p, "Styringssystem", "Helhetsperspektiv", coder=ME)


def op_delete_code(p: Project, tmp: Path) -> None:
    codes.delete_code(p, "Praksis", coder=ME)


def op_import_codebook(p: Project, tmp: Path) -> None:
    book = write(
        tmp / "bok.yaml",
        "name: Prøve\ncodes:\n  - name: Økonomi\n  - name: Ledelse\n    children:\n"
        "      - name: Avtaler\n",
    )
    codes.import_codebook(p, book, coder=ME)


@dataclass(frozen=True)
class Case:
    do: Callable[[Project, Path], Path | None]  # the project to undo in, when another one
    en: str
    nb: str


# what undo, redo and history say, in each language (the numbers in brackets: how many rows of
# each kind the operation changed, when it was more than one)
CASES: dict[str, Case] = {
    "code_segment": Case(
        op_code_segment,
        "Code nordvik_radmann #2 with Helhetsperspektiv",
        "Kode nordvik_radmann #2 med Helhetsperspektiv",
    ),
    "uncode_segment": Case(
        op_uncode_segment,
        "Remove Helhetsperspektiv from nordvik_radmann #2",
        "Fjern Helhetsperspektiv fra nordvik_radmann #2",
    ),
    "memo_coding": Case(
        op_memo_coding,
        "Memo on Helhetsperspektiv in nordvik_radmann #2",
        "Notat på Helhetsperspektiv i nordvik_radmann #2",
    ),
    "memo_segment": Case(
        op_memo_segment, "Memo on fjellbygd_ordforar #4", "Notat på fjellbygd_ordforar #4"
    ),
    "memo_document": Case(
        op_memo_document, "Memo on fjellbygd_ordforar", "Notat på fjellbygd_ordforar"
    ),
    "memo_other": Case(op_memo_other, "Memo (project)", "Notat (project)"),
    "import_codings": Case(
        op_import_codings,
        "Import codings from kodinger.csv (2 codings)",
        "Importer kodinger fra kodinger.csv (2 kodinger)",
    ),
    "import_document": Case(
        op_import_document,
        "Import sjobygd_rektor (1 document)",
        "Importer sjobygd_rektor (1 dokument)",
    ),
    "import_update": Case(
        op_import_update,
        "New version of nordvik_radmann (1 document, 1 coding)",
        "Ny versjon av nordvik_radmann (1 dokument, 1 koding)",
    ),
    "import_qdpx": Case(
        op_import_qdpx,
        "Import nordvik.qdpx (2 documents, 2 cases, 5 codes, 1 coding)",
        "Importer nordvik.qdpx (2 dokumenter, 2 caser, 5 koder, 1 koding)",
    ),
    "set_pseudonym": Case(op_set_pseudonym, "Pseudonym for Nordvik", "Pseudonym for Nordvik"),
    # Ola Hansen, and "Kommune n" for each of the project's two cases (recorded with it)
    "add_pseudonyms": Case(
        op_add_pseudonyms,
        "3 new pseudonyms from an export",
        "3 nye pseudonymer fra en eksport",
    ),
    "remove_pseudonym": Case(
        op_remove_pseudonym, "Remove the pseudonym for Nordvik", "Fjern pseudonym for Nordvik"
    ),
    "code_hits": Case(
        op_code_hits,
        "Code 2 search hits with Praksis/Medvirkning (2 codings)",
        "Kod 2 søketreff med Praksis/Medvirkning (2 kodinger)",
    ),
    "code_all_hits": Case(
        op_code_all_hits,
        "Code all hits for “tillitsvalgte” with Praksis/Medvirkning",
        "Kod alle treff på «tillitsvalgte» med Praksis/Medvirkning",
    ),
    "accept_feedback": Case(
        op_accept_feedback, "tester accepted a suggestion", "tester godtok et forslag"
    ),
    "reject_feedback": Case(
        op_reject_feedback, "tester rejected a suggestion", "tester avviste et forslag"
    ),
    "accept_suggestion": Case(
        op_accept_suggestion,
        "Accept the suggestion Praksis/Initiering on nordvik_radmann #4 (1 coding)",
        "Godta forslaget Praksis/Initiering på nordvik_radmann #4 (1 koding)",
    ),
    "merge_project": Case(
        op_merge_project,
        "Merge with per.kodebok (2 codings)",
        "Slå sammen med per.kodebok (2 kodinger)",
    ),
    "resolve": Case(
        op_resolve,
        "Resolve Styringssystem on nordvik_radmann #2 (1 coding, 1 memo)",
        "Avgjør Styringssystem på nordvik_radmann #2 (1 koding, 1 notat)",
    ),
    "set_case_attributes": Case(
        op_set_case_attributes, "Set attributes of Nordvik", "Sett attributter for Nordvik"
    ),
    "assign_case": Case(
        op_assign_case,
        "Assign nordvik_radmann to Fjellbygd",
        "Knytt nordvik_radmann til Fjellbygd",
    ),
    "unassign_case": Case(
        op_unassign_case,
        "Take nordvik_radmann out of its case",
        "Ta nordvik_radmann ut av casen",
    ),
    "import_cases": Case(
        op_import_cases,
        "Import cases from caser.csv (1 case)",
        "Importer caser fra caser.csv (1 case)",
    ),
    "import_speakers": Case(
        op_import_speakers, "Import speakers from talere.csv", "Importer talere fra talere.csv"
    ),
    "set_speaker_attributes": Case(
        op_set_speaker_attributes,
        "Set attributes of IP in nordvik_radmann",
        "Sett attributter for IP i nordvik_radmann",
    ),
    "import_document_table": Case(
        op_import_document_table,
        "Import the document table dokumenter.csv",
        "Importer dokumenttabell dokumenter.csv",
    ),
    "set_presence": Case(
        op_set_presence,
        "Set presence for Nordvik × Styringssystem",
        "Sett til stede for Nordvik × Styringssystem",
    ),
    "clear_presence": Case(
        op_clear_presence,
        "Clear the manual presence value for Nordvik × Styringssystem",
        "Fjern manuell til stede-verdi for Nordvik × Styringssystem",
    ),
    "create_code": Case(
        op_create_code, "New code Økonomi/Budsjett (2 codes)", "Ny kode Økonomi/Budsjett (2 koder)"
    ),
    "update_code": Case(
        op_update_code, "Change code Praksis/Initiering", "Endre kode Praksis/Initiering"
    ),
    "rename_code": Case(
        op_rename_code,
        "Rename Praksis/Initiering → Oppstart",
        "Gi nytt navn Praksis/Initiering → Oppstart",
    ),
    "move_code": Case(op_move_code, "Move Praksis/Initiering", "Flytt Praksis/Initiering"),
    "merge_codes": Case(
        op_merge_codes,
        "Merge Styringssystem → Helhetsperspektiv (1 code, 1 coding)",
        "Slå sammen Styringssystem → Helhetsperspektiv (1 kode, 1 koding)",
    ),
    "delete_code": Case(
        op_delete_code, "Delete code Praksis (3 codes)", "Slett kode Praksis (3 koder)"
    ),
    "import_codebook": Case(
        op_import_codebook,
        "Import codebook bok.yaml (3 codes)",
        "Importer kodebok bok.yaml (3 koder)",
    ),
}

# done elsewhere: the demo's codings (test below) and the TUI's "new code on this segment"
# (tests/tui/test_tui_journal_language.py)
ELSEWHERE = {"demo_codings", "create_code_and_code"}


def last_params(path: Path) -> dict[str, object]:
    conn = sqlite3.connect(str(path))
    try:
        raw = conn.execute("SELECT params FROM journal ORDER BY id DESC LIMIT 1").fetchone()[0]
    finally:
        conn.close()
    return dict(json.loads(raw))


@pytest.mark.parametrize("op", sorted(CASES))
def test_undo_and_redo_name_the_operation_in_the_chosen_language(op: str, tmp_path: Path) -> None:
    case = CASES[op]
    path = build_project(tmp_path / "prosjekt.kodebok")
    with Project.open(path) as p:
        path = case.do(p, tmp_path) or path
    assert last_params(path)["op"] == op  # stored as a code, not as text
    assert kodebok(path, "undo", lang="en").output == f"Undid: {case.en}\n"
    assert kodebok(path, "redo", lang="en").output == f"Redid: {case.en}\n"
    assert kodebok(path, "undo", lang="nb").output == f"Angret: {case.nb}\n"
    assert kodebok(path, "redo", lang="nb").output == f"Gjort om igjen: {case.nb}\n"
    # history lists it without the counts (they are what an undo moved)
    plain = re.sub(r" \(\d+ [^)]*\)$", "", case.en)
    assert plain in kodebok(path, "history", "--limit", "1", lang="en").output


def test_every_operation_kind_is_tested_in_both_languages() -> None:
    kinds = {k.removeprefix("journal.") for k in CATALOGUES["en"] if k.startswith("journal.")}
    assert kinds == set(CASES) | ELSEWHERE


def operation_codes_in_the_code() -> set[str]:
    """Every operation code a Change(...) or segment_change(...) in kodebok/ names."""
    found: set[str] = set()
    change = re.compile(r'\bChange\(\s*"(\w+)"(?:\s+if\s+\w+\s+else\s+"(\w+)")?')
    segment = re.compile(r'\bsegment_change\(\s*[\w.]+,\s*"(\w+)"')
    for path in (ROOT / "kodebok").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for match in [*change.finditer(text), *segment.finditer(text)]:
            found.update(g for g in match.groups() if g)
    return found


def test_every_operation_code_has_a_text_in_every_language() -> None:
    used = operation_codes_in_the_code()
    assert {"code_segment", "accept_feedback", "reject_feedback", "resolve"} <= used
    missing = {
        lang: sorted(c for c in used if f"journal.{c}" not in catalogue)
        for lang, catalogue in CATALOGUES.items()
    }
    assert missing == {lang: [] for lang in CATALOGUES}
    # and the texts use only parameters the operations give (a typo would print "{doc}")
    for lang in CATALOGUES:
        for op in CASES:
            assert "{" not in change_text({"op": op, **PARAMS}, lang), (lang, op)


PARAMS = {
    k: "x"
    for k in [
        "doc",
        "number",
        "code",
        "where",
        "kind",
        "file",
        "name",
        "real",
        "n",
        "query",
        "coder",
        "case",
        "speaker",
        "into",
        "source",
    ]
}


def test_counts_are_said_with_singular_and_plural_in_each_language() -> None:
    counts = {"documents": 17, "cases": 1, "codes": 23, "codings": 724, "memos": 1}
    assert count_text(counts, "nb") == "17 dokumenter, 1 case, 23 koder, 724 kodinger, 1 notat"
    assert count_text(counts, "en") == "17 documents, 1 case, 23 codes, 724 codings, 1 memo"


def test_an_unknown_operation_code_shows_its_code_and_parameters() -> None:
    entry = JournalEntry(1, ME, "", "x", "", "done", {"op": "future_thing", "n": 3})
    assert journal_text(entry, "nb") == "future_thing (n=3)"


def test_the_project_language_setting_is_used_when_the_environment_names_none(
    tmp_path: Path,
) -> None:
    path = build_project(tmp_path / "prosjekt.kodebok")
    with Project.open(path) as p:
        op_code_segment(p, tmp_path)
        p.set_setting("language", "en")
    assert kodebok(path, "undo").output == f"Undid: {CASES['code_segment'].en}\n"
    assert kodebok(path, "redo", lang="nb").output == (
        f"Gjort om igjen: {CASES['code_segment'].nb}\n"
    )
    assert kodebok(path, "undo", lang="en").output == f"Undid: {CASES['code_segment'].en}\n"
    assert kodebok(path, "undo", lang="en").output == f"Nothing to undo for {ME}\n"
    assert kodebok(path, "undo", lang="nb").output == f"Ingenting å angre for {ME}\n"


def test_the_file_keeps_an_english_description_for_people_reading_it_with_sqlite(
    tmp_path: Path,
) -> None:
    path = build_project(tmp_path / "prosjekt.kodebok")
    with Project.open(path) as p:
        op_code_segment(p, tmp_path)
    conn = sqlite3.connect(str(path))
    try:
        row = conn.execute("SELECT description FROM journal ORDER BY id DESC LIMIT 1").fetchone()
    finally:
        conn.close()
    assert row[0] == CASES["code_segment"].en


def test_a_journal_row_from_before_codes_keeps_its_text(tmp_path: Path) -> None:
    """A project made by an older kodebok (schema 3, descriptions only) is migrated; its rows
    are undone and listed with their stored text, in either language."""
    path = tmp_path / "gammel.kodebok"
    conn = sqlite3.connect(str(path), isolation_level=None)
    from kodebok.store.project import _split_sql

    for migration in MIGRATIONS[:3]:
        for statement in _split_sql(migration):
            conn.execute(statement)
    conn.execute("INSERT INTO meta VALUES ('schema_version', '3')")
    conn.execute("INSERT INTO cases(id, name) VALUES (1, 'Nordvik')")
    case_row = {"id": 1, "name": "Nordvik", "memo": ""}
    conn.execute(
        "INSERT INTO journal(coder, at, op, description, changes) VALUES (?,?,?,?,?)",
        (
            ME,
            "2024-01-01T00:00:00+00:00",
            "cases",
            "Ny case Nordvik",
            json.dumps([{"table": "cases", "before": None, "after": case_row}]),
        ),
    )
    conn.close()
    assert "Ny case Nordvik" in kodebok(path, "history", lang="en").output
    assert kodebok(path, "undo", lang="en").output == "Undid: Ny case Nordvik\n"
    assert kodebok(path, "redo", lang="nb").output == "Gjort om igjen: Ny case Nordvik\n"
    conn = sqlite3.connect(str(path))
    try:
        assert conn.execute("SELECT params FROM journal").fetchone()[0] is None
        assert conn.execute("SELECT name FROM cases").fetchall() == [("Nordvik",)]
    finally:
        conn.close()


def test_a_refused_undo_names_the_operation_in_english_in_the_error(tmp_path: Path) -> None:
    path = build_project(tmp_path / "prosjekt.kodebok")
    with Project.open(path) as p:
        codes.create_code(p, "Økonomi", coder=ME)
        coding.code_segment(p, "nordvik_radmann", 1, "Økonomi", coder="ola")
    result = kodebok(path, "undo", lang="nb")
    assert result.exit_code == 2
    assert "cannot undo 'New code Økonomi'" in result.output


def test_the_demo_codings_are_one_operation_named_in_each_language(demo_project: Path) -> None:
    conn = sqlite3.connect(str(demo_project))
    try:
        coder, params, changes = conn.execute(
            "SELECT coder, params, changes FROM journal WHERE op = 'demo'"
        ).fetchone()
    finally:
        conn.close()
    assert json.loads(params) == {"op": "demo_codings"}
    n = len({c["after"]["id"] for c in json.loads(changes) if c["table"] == "codings"})
    assert n > 1
    undo = kodebok(demo_project, "undo", "--coder", coder, lang="en").output
    assert undo == f"Undid: Demo codings ({n} codings)\n"
    redo = kodebok(demo_project, "redo", "--coder", coder, lang="nb").output
    assert redo == f"Gjort om igjen: Demo-kodinger ({n} kodinger)\n"


@pytest.mark.parametrize(
    ("reason", "details", "en", "nb"),
    [
        (
            "added",
            {"item": {"kind": "case", "name": "Nordvik", "id": 1}},
            "case 'Nordvik' (id 1) was added since",
            "casen «Nordvik» (id 1) er lagt til siden",
        ),
        (
            "removed",
            {"item": {"kind": "memo", "author": "ola", "id": 4}},
            "a memo by ola (id 4) was removed since",
            "et notat av ola (id 4) er fjernet siden",
        ),
        (
            "changed",
            {"item": {"kind": "code", "name": "Ledelse", "id": 2}, "columns": ["name", "color"]},
            "code 'Ledelse' (id 2) was changed since (name, color)",
            "koden «Ledelse» (id 2) er endret siden (name, color)",
        ),
        (
            "depends",
            {
                "item": {"kind": "coding", "coder": "ola", "code": "Ledelse", "doc": "d", "id": 9},
                "other": {"kind": "code", "name": "Ledelse", "id": 2},
            },
            "a coding by ola with 'Ledelse' in 'd' (id 9) depends on code 'Ledelse' (id 2)",
            "en koding av ola med «Ledelse» i «d» (id 9) avhenger av koden «Ledelse» (id 2)",
        ),
        (
            "revised",
            {"item": {"kind": "segment", "number": 3, "doc": "d"}, "doc": "d"},
            "'d' was revised since (segment #3 in 'd' points into its old text)",
            "«d» er revidert siden (segment #3 i «d» peker inn i den gamle teksten)",
        ),
        (
            "not_allowed",
            {"detail": "UNIQUE constraint failed"},
            "the project does not allow it any more (UNIQUE constraint failed)",
            "prosjektet tillater det ikke lenger (UNIQUE constraint failed)",
        ),
    ],
)
def test_a_refused_undo_is_said_in_either_language(
    reason: str, details: dict[str, object], en: str, nb: str
) -> None:
    from kodebok.i18n import refusal_text

    params = {
        "undo": True,
        "what": {"op": "create_code", "code": "Ledelse"},
        "reason": reason,
        "backup": "b.db",
        **details,
    }
    assert refusal_text(params, "en") == (
        f"cannot undo 'New code Ledelse': {en}; nothing was changed (undo the later changes "
        "first, or go back to the backup taken before it: kodebok restore b.db)"
    )
    assert refusal_text(params, "nb") == (
        f"Kan ikke angre «Ny kode Ledelse»: {nb}; ingenting ble endret (angre de senere "
        "endringene først, eller gå tilbake til sikkerhetskopien fra før: kodebok restore b.db)"
    )
    redo = {**params, "undo": False, "what": None, "description": "Gammel tekst"}
    assert refusal_text(redo, "en") == (
        f"cannot redo 'Gammel tekst': {en}; nothing was changed (the redo is no longer possible)"
    )
    assert refusal_text(redo, "nb").startswith(f"Kan ikke gjøre om igjen «Gammel tekst»: {nb};")


def test_the_refusal_error_carries_its_code_and_data(tmp_path: Path) -> None:
    from kodebok.errors import KodebokError
    from kodebok.i18n import render, set_language

    path = build_project(tmp_path / "prosjekt.kodebok")
    with Project.open(path) as p:
        codes.create_code(p, "Økonomi", coder=ME)
        result = coding.code_segment(p, "nordvik_radmann", 1, "Økonomi", coder="ola")
        with pytest.raises(KodebokError) as caught:
            p.undo(ME)
    error = caught.value
    assert error.code == "journal.refused"
    assert error.params["reason"] == "depends"
    assert error.params["item"] == {
        "kind": "coding",
        "coder": "ola",
        "code": None,  # the code is already deleted when the cascade shows the coding
        "doc": "nordvik_radmann",
        "id": result.coding_id,
    }
    try:
        set_language("nb")
        assert render(error).startswith(
            "Kan ikke angre «Ny kode Økonomi»: en koding av ola i «nordvik_radmann» "
            f"(id {result.coding_id}) avhenger av koden «Økonomi»"
        )
        set_language("en")
        assert render(error) == error.message
    finally:
        set_language("nb")


def test_no_operation_is_described_by_text_in_one_language() -> None:
    """Project.operation still takes plain text (old callers), but nothing in kodebok/ uses it."""
    text_description = re.compile(
        r"""\.operation\(\s*[^,()]+,\s*"[^"]*",\s*f?["']|_journaled\(\s*\w+,\s*f?["']"""
    )
    found = [
        f"{path.relative_to(ROOT)}: {match.group(0)!r}"
        for path in sorted((ROOT / "kodebok").rglob("*.py"))
        for match in text_description.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_parameters_are_formatted_for_the_language_they_are_said_in() -> None:
    from kodebok.i18n import set_language

    try:
        set_language("nb")  # the English text in the file must not get a decimal comma
        params = {"op": "code_hits", "n": 2.5, "code": ["A", "B"]}
        assert change_text(params, "en") == "Code 2.50 search hits with A, B"
        assert change_text(params, "nb") == "Kod 2,50 søketreff med A, B"
    finally:
        set_language("nb")
