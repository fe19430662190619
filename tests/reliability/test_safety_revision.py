"""Revised transcripts (`import --update`) on the demo project: a coding stays `ok` only with its
text unchanged, swapped and moved answers keep their codings exactly, a coding never stretches
over a turn it did not cover, a revert restores every coding, orphans keep their text in every
export, and a kill during the update never leaves segments without lemmas."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.conftest import ROOT, codings_snapshot, integrity_ok

DOC = "nordvik_radmann"
SOURCE = ROOT / "transcripts" / f"{DOC}.txt"


def _original() -> tuple[str, list[str]]:
    """The transcript's front matter and its blocks (one speaker turn each, = segment idx)."""
    text = SOURCE.read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    return "---\n" + front + "---\n", body.strip("\n").split("\n\n")


def _write(folder: Path, blocks: list[str]) -> Path:
    head, _ = _original()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{DOC}.txt"
    path.write_text(head + "\n\n".join(blocks) + "\n", encoding="utf-8")
    return path


def _update(project: Path, path: Path) -> Result:
    from kodebok.cli import main

    return CliRunner().invoke(
        main, ["-p", str(project), "import", "--update", str(path)], catch_exceptions=False
    )


def _cli(project: Path, *args: str) -> Result:
    from kodebok.cli import main

    return CliRunner().invoke(main, ["-p", str(project), *args], catch_exceptions=False)


def _state(project: Path) -> dict[int, dict[str, object]]:
    """The document's codings by id: span, status, anchor, text, and the segments they cover."""
    conn = sqlite3.connect(str(project))
    try:
        doc_id, text = conn.execute(
            "SELECT id, text FROM documents WHERE name = ?", (DOC,)
        ).fetchone()
        segs = conn.execute(
            'SELECT s.idx, s.start, s."end", sp.label FROM segments s '
            "LEFT JOIN speakers sp ON sp.id = s.speaker_id WHERE s.document_id = ? ORDER BY idx",
            (doc_id,),
        ).fetchall()
        out: dict[int, dict[str, object]] = {}
        for cid, start, end, status, anchor, code_id, coder in conn.execute(
            'SELECT id, start, "end", status, anchor_text, code_id, coder FROM codings '
            "WHERE document_id = ?",
            (doc_id,),
        ):
            covered = [(i, label) for i, s, e, label in segs if s < end and e > start]
            out[cid] = {
                "start": start,
                "end": end,
                "status": status,
                "anchor": anchor,
                "text": text[start:end],
                "segments": [i for i, _ in covered],
                "speakers": {label for _, label in covered},
                "key": (code_id, coder),
            }
        return out
    finally:
        conn.close()


def _others(project: Path) -> list[tuple[object, ...]]:
    """Codings of every other document (a revision of one must not touch them)."""
    return [row for row in codings_snapshot(project) if row[0] != DOC]


def _ws(text: object) -> list[str]:
    return str(text).split()


def _typo(block: str, nth: int) -> str:
    """Swap two letters inside the nth long word after the speaker label (a transcriber's
    correction seen from the other side)."""
    words = list(re.finditer(r"\b[a-zæøå]{6,}\b", block[4:]))
    m = words[nth % len(words)]
    w = m.group()
    k = next(k for k in range(2, len(w) - 1) if w[k] != w[k + 1])
    typo = w[:k] + w[k + 1] + w[k] + w[k + 2 :]
    at = 4 + m.start()
    return block[:at] + typo + block[at + len(w) :]


def _truncate(block: str) -> str:
    """The answer without its last sentence (a cut quote)."""
    cut = block.rstrip(".").rfind(". ") + 1
    assert 4 < cut < len(block) - 10
    return block[:cut]


ANSWERS_TYPO = [1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27]  # 20 edits in 14 answers
ANSWERS_TRUNCATED = [31, 33]
ANSWERS_UNTOUCHED = [29, 35, 37, 41]


def _typos_and_truncations() -> list[str]:
    _, blocks = _original()
    edits = 0
    for n, i in enumerate(ANSWERS_TYPO):
        blocks[i] = _typo(blocks[i], 3)
        edits += 1
        if n < 6:  # a second correction in the first six answers
            blocks[i] = _typo(blocks[i], 11)
            edits += 1
    assert edits == 20
    for i in ANSWERS_TRUNCATED:
        blocks[i] = _truncate(blocks[i])
    return blocks


def test_the_unchanged_transcript_is_a_no_op(demo_project: Path, tmp_path: Path) -> None:
    _, blocks = _original()
    before = codings_snapshot(demo_project)
    result = _update(demo_project, _write(tmp_path / "rev", blocks))
    assert result.exit_code == 0, result.output
    assert "unchanged" in result.output
    assert codings_snapshot(demo_project) == before


def test_typo_edits_and_truncated_quotes_are_flagged_for_review(
    demo_project: Path, tmp_path: Path
) -> None:
    before = _state(demo_project)
    others = _others(demo_project)
    blocks = _typos_and_truncations()
    result = _update(demo_project, _write(tmp_path / "rev", blocks))
    assert result.exit_code == 0, result.output
    after = _state(demo_project)
    assert after.keys() == before.keys(), "no coding may be dropped or added"
    assert integrity_ok(demo_project)
    assert _others(demo_project) == others
    edited = set(ANSWERS_TYPO) | set(ANSWERS_TRUNCATED)
    n_review = n_ok = 0
    for cid, old in before.items():
        new = after[cid]
        assert len(new["segments"]) == len(old["segments"])
        (seg,) = old["segments"]
        if seg in edited and str(old["text"]) not in blocks[seg]:
            # the text changed: never "ok", kept in the same (edited) answer for review
            assert new["status"] == "review", (cid, old["text"], new["text"])
            assert new["segments"] == old["segments"]
            assert new["anchor"] == old["text"]
            n_review += 1
        else:
            assert new["status"] == "ok"
            assert new["text"] == old["text"]
            assert new["anchor"] is None
            n_ok += 1
        if new["status"] == "ok":
            assert _ws(new["text"]) == _ws(old["text"])
    truncated = [c for c, o in before.items() if set(o["segments"]) & set(ANSWERS_TRUNCATED)]
    assert truncated
    for cid in truncated:  # a cut quote: the rest of it, flagged
        assert str(before[cid]["text"]).startswith(str(after[cid]["text"]))
    assert f"{n_review} need review, 0 orphaned" in result.output
    assert n_review >= 40
    assert n_ok >= 5


def test_rewrapped_lines_and_spaces_keep_codings_ok(demo_project: Path, tmp_path: Path) -> None:
    before = _state(demo_project)
    _, blocks = _original()
    words = blocks[7].split(" ")
    blocks[7] = " ".join(words[:10]) + "\n" + " ".join(words[10:20]) + "\n" + " ".join(words[20:])
    blocks[9] = blocks[9].replace(". ", ".  ")
    result = _update(demo_project, _write(tmp_path / "rev", blocks))
    assert result.exit_code == 0, result.output
    after = _state(demo_project)
    changed = 0
    for cid, old in before.items():
        new = after[cid]
        assert new["status"] == "ok", (cid, new)
        assert _ws(new["text"]) == _ws(old["text"])
        assert new["segments"] == old["segments"]
        changed += new["text"] != old["text"]
    assert changed >= 4  # the codings of answers 7 and 9 have other whitespace now
    assert integrity_ok(demo_project)


def _swapped() -> tuple[list[str], int, int]:
    _, blocks = _original()
    a, b = 5, 27  # two coded answers (5 and 5 codings), far apart
    blocks[a], blocks[b] = blocks[b], blocks[a]
    return blocks, a, b


def _assert_exactly_reanchored(
    before: dict[int, dict[str, object]], after: dict[int, dict[str, object]]
) -> None:
    assert after.keys() == before.keys()
    for cid, old in before.items():
        new = after[cid]
        assert new["status"] == "ok", (cid, old["text"][:60], new["text"][:60])
        assert new["text"] == old["text"]  # every character, not 75 fewer
        assert len(new["segments"]) == len(old["segments"])
        assert new["speakers"] == old["speakers"]  # never the interviewer's question


def test_swapped_answers_keep_exactly_their_text(demo_project: Path, tmp_path: Path) -> None:
    before = _state(demo_project)
    others = _others(demo_project)
    blocks, a, b = _swapped()
    result = _update(demo_project, _write(tmp_path / "rev", blocks))
    assert result.exit_code == 0, result.output
    after = _state(demo_project)
    _assert_exactly_reanchored(before, after)
    # the codings went with their answers
    for cid, old in before.items():
        if old["segments"] == [a]:
            assert after[cid]["segments"] == [b]
        if old["segments"] == [b]:
            assert after[cid]["segments"] == [a]
    assert "0 need review, 0 orphaned" in result.output
    assert integrity_ok(demo_project)
    assert _others(demo_project) == others


def test_moved_paragraphs_keep_exactly_their_text(demo_project: Path, tmp_path: Path) -> None:
    before = _state(demo_project)
    _, blocks = _original()
    # question and answer 6–7 move to the end, answer 13 moves up before question 2
    moved = blocks[6:8]
    del blocks[6:8]
    blocks.extend(moved)
    answer = blocks.pop(11)
    blocks.insert(2, answer)
    result = _update(demo_project, _write(tmp_path / "rev", blocks))
    assert result.exit_code == 0, result.output
    _assert_exactly_reanchored(before, _state(demo_project))
    assert integrity_ok(demo_project)


def test_an_edited_answer_moved_next_to_new_questions_never_covers_them(
    demo_project: Path, tmp_path: Path
) -> None:
    before = _state(demo_project)
    blocks, a, b = _swapped()
    blocks[a] = _typo(blocks[a], 2)  # the swapped answers are edited too: no exact match
    blocks[b] = _typo(blocks[b], 2)
    # an interviewer's follow-up inserted in the middle of answer 13
    answer = blocks[13]
    cut = answer.find(". ", len(answer) // 2) + 1
    blocks[13 : 13 + 1] = [
        answer[:cut],
        "I: Kan du si litt mer om det?",
        "IP: " + answer[cut + 1 :],
    ]
    result = _update(demo_project, _write(tmp_path / "rev", blocks))
    assert result.exit_code == 0, result.output
    after = _state(demo_project)
    assert after.keys() == before.keys()
    assert integrity_ok(demo_project)
    for cid, old in before.items():
        new = after[cid]
        assert "I" not in new["speakers"]
        assert len(new["segments"]) <= len(old["segments"])
        if new["status"] == "ok":
            assert new["text"] == old["text"]
        else:
            assert new["status"] == "review"
            assert new["anchor"] == old["text"]
    split = [c for c, o in before.items() if o["segments"] == [13]]
    assert split
    assert all(after[c]["status"] == "review" for c in split)


def test_an_answer_moved_and_edited_is_followed_for_review(
    demo_project: Path, tmp_path: Path
) -> None:
    before = _state(demo_project)
    _, blocks = _original()
    moved = [blocks[12], _typo(blocks[13], 4)]  # question and answer 12-13 go to the end,
    del blocks[12:14]  # the answer with a corrected word
    blocks.extend(moved)
    result = _update(demo_project, _write(tmp_path / "rev", blocks))
    assert result.exit_code == 0, result.output
    after = _state(demo_project)
    last = len(blocks) - 1
    followed = [c for c, o in before.items() if o["segments"] == [13]]
    assert len(followed) == 4
    for cid in followed:
        new = after[cid]
        assert new["segments"] == [last], new
        if str(before[cid]["text"]) in blocks[last]:
            assert new["status"] == "ok"
            assert new["text"] == before[cid]["text"]
        else:
            assert new["status"] == "review"
            assert new["anchor"] == before[cid]["text"]
            assert str(new["text"]) in blocks[last]
    for cid, old in before.items():
        if cid not in followed:
            assert after[cid]["status"] == "ok"
            assert after[cid]["text"] == old["text"]
    assert integrity_ok(demo_project)


def test_a_passage_found_twice_keeps_the_occurrence_in_its_own_answer(
    demo_project: Path, tmp_path: Path
) -> None:
    before = _state(demo_project)
    _, blocks = _original()
    # answer 7 is quoted again later in the interview, word for word
    blocks.extend(["I: Du sa tidligere dette:", blocks[7]])
    blocks[3] = _typo(blocks[3], 1)  # and an edit before it shifts every offset
    result = _update(demo_project, _write(tmp_path / "rev", blocks))
    assert result.exit_code == 0, result.output
    after = _state(demo_project)
    for cid, old in before.items():
        if old["segments"] == [7]:
            assert after[cid]["segments"] == [7]
            assert after[cid]["status"] == "ok"
            assert after[cid]["text"] == old["text"]


def _orphaning_revision() -> list[str]:
    blocks, _, _ = _swapped()
    for i in (9, 17):  # two answers struck from the record
        blocks[i] = "IP: (Strøket etter ønske fra informanten.)"
    for i in (1, 3):
        blocks[i] = _typo(blocks[i], 3)
    blocks[33] = _truncate(blocks[33])
    return blocks


def test_a_revert_to_the_original_restores_every_coding(demo_project: Path, tmp_path: Path) -> None:
    original = codings_snapshot(demo_project)
    before = _state(demo_project)
    revised = _update(demo_project, _write(tmp_path / "rev", _orphaning_revision()))
    assert revised.exit_code == 0, revised.output
    middle = _state(demo_project)
    statuses = [c["status"] for c in middle.values()]
    assert statuses.count("orphaned") == 4  # answers 9 and 17 had 2 codings each
    assert statuses.count("review") >= 10
    for cid, c in middle.items():
        if c["status"] != "ok":
            assert c["anchor"] == before[cid]["text"]
    # a second revision on top: the orphans stay orphans with their text
    again = _orphaning_revision()
    again[21] = _typo(again[21], 5)
    assert _update(demo_project, _write(tmp_path / "rev2", again)).exit_code == 0
    second = _state(demo_project)
    for cid, c in second.items():
        if middle[cid]["status"] == "orphaned":
            assert c["status"] == "orphaned"
            assert c["anchor"] == before[cid]["text"]
    _, blocks = _original()
    reverted = _update(demo_project, _write(tmp_path / "orig", blocks))
    assert reverted.exit_code == 0, reverted.output
    assert "0 need review, 0 orphaned" in reverted.output
    after = _state(demo_project)
    assert all(c["status"] == "ok" and c["anchor"] is None for c in after.values())
    assert codings_snapshot(demo_project) == original  # every coding at its original offsets
    assert integrity_ok(demo_project)


def test_orphans_show_their_old_text_in_every_export(demo_project: Path, tmp_path: Path) -> None:
    before = _state(demo_project)
    assert _update(demo_project, _write(tmp_path / "rev", _orphaning_revision())).exit_code == 0
    orphans = {cid: c for cid, c in _state(demo_project).items() if c["status"] == "orphaned"}
    old_texts = sorted(str(before[cid]["text"]) for cid in orphans)
    assert len(old_texts) == 4
    assert all(old_texts)
    # codings export, JSON and CSV
    rows = json.loads(_cli(demo_project, "codings", "export", "--format", "json").output)
    exported = sorted(r["text"] for r in rows if r["status"] == "orphaned")
    assert exported == old_texts
    assert all(r["document"] == DOC for r in rows if r["status"] == "orphaned")
    out = tmp_path / "k.csv"
    assert _cli(demo_project, "codings", "export", "-o", str(out)).exit_code == 0
    csv_text = out.read_text(encoding="utf-8")
    assert csv_text.splitlines()[0].endswith(",text,status")
    assert all(t.split(". ")[0] in csv_text for t in old_texts)
    # quotes: left out with a note, or with --orphans their text, marked
    plain = _cli(demo_project, "quotes", "--format", "json")
    assert plain.exit_code == 0
    assert "4 orphaned codings left out" in plain.stderr
    quoted = [q for s in json.loads(plain.stdout) for q in s["quotes"]]
    assert all(q["text"].strip() for q in quoted)
    with_orphans = _cli(demo_project, "quotes", "--orphans", "--format", "json")
    marked = [
        q for s in json.loads(with_orphans.stdout) for q in s["quotes"] if q["status"] == "orphaned"
    ]
    assert {q["text"].split(" [orphaned")[0] for q in marked} == set(old_texts)
    assert all(
        q["text"].endswith("[orphaned: no longer in the revised transcript]") for q in marked
    )
    # .qdpx: the coding's note keeps the text
    qdpx = tmp_path / "p.qdpx"
    assert _cli(demo_project, "export", "qdpx", str(qdpx)).exit_code == 0
    with zipfile.ZipFile(qdpx) as z:
        xml = z.read("project.qde").decode("utf-8")
    from xml.sax.saxutils import escape

    for t in old_texts:
        assert escape(t) in xml or t in xml
    assert xml.count("[orphaned] The coded text is no longer in the revised document") == 4
    from kodebok.services.refi import validate_qdpx

    assert (
        validate_qdpx(qdpx.read_bytes(), ROOT / "tests" / "data" / "refi-qda" / "Project.xsd") == []
    )
    # reading it back, every coding arrives, the orphans still orphaned with their old text
    # (kodebok's side file in the archive says so)
    copy = tmp_path / "tilbake.kodebok"
    assert _cli(copy, "init").exit_code == 0
    back = _cli(copy, "import", str(qdpx))
    assert back.exit_code == 0, back.output
    conn = sqlite3.connect(str(copy))
    try:
        n_back = conn.execute("SELECT COUNT(*) FROM codings").fetchone()[0]
        back_orphans = sorted(
            r[0] for r in conn.execute("SELECT anchor_text FROM codings WHERE status = 'orphaned'")
        )
    finally:
        conn.close()
    assert n_back == len(codings_snapshot(demo_project))
    assert back_orphans == sorted(str(orphans[cid]["anchor"]) for cid in orphans)
    # without the side file (as another program would write it), the orphans' zero-length
    # selections are named as skipped, not dropped silently
    bare = tmp_path / "bare.qdpx"
    with zipfile.ZipFile(qdpx) as src, zipfile.ZipFile(bare, "w") as dst:
        for info in src.infolist():
            if not info.filename.startswith("kodebok/"):
                dst.writestr(info, src.read(info))
    other = tmp_path / "annen.kodebok"
    assert _cli(other, "init").exit_code == 0
    foreign = _cli(other, "import", str(bare))
    assert foreign.exit_code == 0, foreign.output
    assert foreign.output.count("skipped") >= 1
    assert integrity_ok(demo_project)


def test_missing_lemmas_are_computed_before_a_search(demo_project: Path) -> None:
    def hits() -> int:
        result = _cli(demo_project, "search", "lederavtale", "--doc", DOC, "--format", "json")
        assert result.exit_code == 0, result.output
        return len(json.loads(result.stdout))

    assert hits() == 5  # "lederavtaler", "lederavtalene", ... found by their lemma
    conn = sqlite3.connect(str(demo_project))
    with conn:  # what a kill between storing a revision and its NLP pass left behind
        conn.execute(
            "UPDATE segments SET lemmas = NULL WHERE document_id = "
            "(SELECT id FROM documents WHERE name = ?)",
            (DOC,),
        )
    conn.close()
    before = codings_snapshot(demo_project)
    assert hits() == 5
    conn = sqlite3.connect(str(demo_project))
    assert conn.execute("SELECT COUNT(*) FROM segments WHERE lemmas IS NULL").fetchone()[0] == 0
    conn.close()
    assert codings_snapshot(demo_project) == before
    assert integrity_ok(demo_project)


def _kodebok(*args: str, project: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "KODEBOK_CODER": "tester", "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-c", "from kodebok.cli import run; run()", "-p", str(project), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )


def _long_revision(folder: Path) -> Path:
    """The transcript revised and much longer: the other interviews' answers added at its end,
    so its NLP features take seconds."""
    blocks = _typos_and_truncations()
    for other in sorted((ROOT / "transcripts").glob("*.txt")):
        if other.name == SOURCE.name:
            continue
        body = other.read_text(encoding="utf-8").split("---\n")[-1]
        for para in body.split("\n\n"):
            words = para.split(": ", 1)[-1].strip()
            if len(words) > 80:
                blocks.extend(["I: Og videre?", "IP: " + " ".join(words.split())])
    return _write(folder, blocks)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_kill_during_the_update_leaves_no_segment_without_lemmas(
    demo_project: Path, tmp_path: Path
) -> None:
    import shutil

    revised = _long_revision(tmp_path / "rev")
    pristine = tmp_path / "pristine.kodebok"
    shutil.copy(demo_project, pristine)
    old_codings = codings_snapshot(pristine)
    # how long the whole update takes here, unkilled
    timed = tmp_path / "timed" / "p.kodebok"
    timed.parent.mkdir()
    shutil.copy(pristine, timed)
    t0 = time.monotonic()
    proc = _kodebok("import", "--update", str(revised), project=timed)
    _, err = proc.communicate(timeout=600)
    total = time.monotonic() - t0
    assert proc.returncode == 0, err.decode()
    new_codings = codings_snapshot(timed)
    conn = sqlite3.connect(str(timed))
    (new_sha,) = conn.execute("SELECT sha256 FROM documents WHERE name = ?", (DOC,)).fetchone()
    conn.close()
    killed_running = 0
    shares = [0.35, 0.5, 0.65, 0.8, 0.9]
    for n, share in enumerate(shares):
        target = tmp_path / f"kill{n}" / "p.kodebok"
        target.parent.mkdir()
        shutil.copy(pristine, target)
        proc = _kodebok("import", "--update", str(revised), project=target)
        time.sleep(total * share)
        if proc.poll() is None:
            killed_running += 1
        elif len(shares) < 10:  # faster than the timed run (a machine less busy): earlier
            shares.append(share * 0.6)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert integrity_ok(target)
        conn = sqlite3.connect(str(target))
        try:
            missing = conn.execute("SELECT COUNT(*) FROM segments WHERE lemmas IS NULL").fetchone()
            (sha,) = conn.execute("SELECT sha256 FROM documents WHERE name = ?", (DOC,)).fetchone()
        finally:
            conn.close()
        assert missing[0] == 0, f"killed at {share:.0%}: {missing[0]} segments without lemmas"
        # either the old version with its codings or the new one with all of them re-anchored
        assert codings_snapshot(target) in (old_codings, new_codings)
        if sha == new_sha:
            assert codings_snapshot(target) == new_codings
    assert killed_running >= 3, f"the update ({total:.1f} s) ended before most kills"


def test_orphans_of_a_truncated_transcript_stay_inside_the_text(tmp_path: Path) -> None:
    # found by the CLI sequence test: two orphans of one code and coder were nudged apart past
    # the end of a transcript cut down to its first turn (50:50 and 51:51 in 50 characters)
    from kodebok.cli import main

    turns = [
        "I: Hvordan er helsetjenesten organisert hos dere?",
        "Leder: Vi har tre soner, og hver sone har en leder som rapporterer til meg hver uke.",
        "I: Hvem følger opp kvaliteten?",
        "Leder: Kvalitetsrådgiveren går gjennom avvikene hver måned sammen med sonelederne.",
    ]
    first = tmp_path / "v1" / "helse.txt"
    first.parent.mkdir()
    first.write_text("\n".join(turns) + "\n", encoding="utf-8")
    cut = tmp_path / "v2" / "helse.txt"
    cut.parent.mkdir()
    cut.write_text(turns[0] + "\n", encoding="utf-8")
    project = tmp_path / "p.kodebok"

    def run(*args: str) -> None:
        result = CliRunner().invoke(main, ["-p", str(project), *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output

    run("init")
    run("import", str(first))
    run("codebook", "add", "Ledelse")
    run("code", "helse", "2", "Ledelse")
    run("code", "helse", "4", "Ledelse")
    run("import", "--update", str(cut))
    conn = sqlite3.connect(project)
    try:
        (length,) = conn.execute("SELECT length(text) FROM documents").fetchone()
        rows = conn.execute('SELECT start, "end", status FROM codings ORDER BY start').fetchall()
    finally:
        conn.close()
    assert [status for _, _, status in rows] == ["orphaned", "orphaned"]
    assert all(0 <= start == end <= length for start, end, _ in rows), (rows, length)
    assert integrity_ok(project)
