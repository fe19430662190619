"""``kodebok demo``: a project built from the sample corpus, with cases, roles and codings."""

from __future__ import annotations

import hashlib
import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kodebok.errors import KodebokError
from kodebok.fileio import atomic_path
from kodebok.notes import Change
from kodebok.services.cases import (
    import_cases_table,
    import_documents_table,
    import_speakers_table,
)
from kodebok.services.codes import import_codebook
from kodebok.services.coding import add_coding
from kodebok.services.documents import ImportOptions
from kodebok.services.importing import import_paths
from kodebok.services.workspace import document_words
from kodebok.store import Project
from kodebok.store import queries as q

DEMO_CODEBOOK = "malstyring_intervjuguide.yaml"
CODERS = ("kari", "ola")
# Ola double-codes these documents (Kari codes everything): one per kommune, plus the focus group.
DOUBLE_CODED = (
    "nordvik_radmann",
    "fjellbygd_kommunedirektor",
    "fjellbygd_fokusgruppe_leiarar",
    "elvestad_ordforer",
    "storsjo_kommunedirektor",
)


def material_dir(name: str) -> Path:
    """``transcripts/`` or ``codebooks/``: beside the package in a checkout, else inside it."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here.parent / name, here / "data" / name):
        if candidate.is_dir():
            return candidate
    raise KodebokError(f"the sample material folder '{name}' is missing from this installation")


@dataclass
class DemoReport:
    """What the demo build made, and how long it took."""

    path: Path
    documents: int = 0
    words: int = 0
    codings: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    failed: list[str] = field(default_factory=list)


def build_demo(
    folder: Path | None = None, progress: Callable[[int, int, str], None] | None = None
) -> DemoReport:
    """Build the demo project in ``folder`` (default: a new temporary folder)."""
    started = time.perf_counter()
    folder = Path(folder) if folder else Path(tempfile.mkdtemp(prefix="kodebok-demo-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "demo.kodebok"
    if path.exists():
        raise KodebokError(f"{path} exists already; choose another --dir or remove it")
    transcripts = material_dir("transcripts")
    codebooks = material_dir("codebooks")
    report = DemoReport(path)
    # built under a temporary name and renamed when complete: a failed or killed build never
    # leaves a half demo project behind
    with atomic_path(path) as building:
        project = Project.create(building)
        try:
            results = import_paths(
                project, [transcripts], ImportOptions(coder=CODERS[0]), progress=progress
            )
            report.failed = [f"{r.source}: {r.message}" for r in results if r.status == "failed"]
            if (transcripts / "cases.csv").exists():
                import_cases_table(project, transcripts / "cases.csv", coder=CODERS[0])
            if (transcripts / "documents.csv").exists():
                import_documents_table(project, transcripts / "documents.csv", coder=CODERS[0])
            if (transcripts / "speakers.csv").exists():
                import_speakers_table(project, transcripts / "speakers.csv", coder=CODERS[0])
            import_codebook(project, codebooks / DEMO_CODEBOOK, coder=CODERS[0])
            report.codings = add_demo_codings(project)
            report.documents = len(q.documents(project))
            report.words = sum(document_words(project).values())
        finally:
            project.close()
    report.seconds = time.perf_counter() - started
    return report


def _stems(words: list[str]) -> list[str]:
    """Keyword stems for matching inflected Norwegian forms (styringskort → styringskort*)."""
    out = []
    for w in words:
        w = w.lower().strip()
        if len(w) > 6 and w.endswith(("er", "en", "et", "ar", "a", "e")):
            w = w[:-2] if w.endswith(("er", "en", "et", "ar")) else w[:-1]
        if len(w) >= 3:
            out.append(w)
    return out


def _stable(*parts: object) -> int:
    """A stable pseudo-random number from its parts (same demo on every machine)."""
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()
    return int(digest[:8], 16)


def add_demo_codings(project: Project) -> dict[str, int]:
    """Codings the way two coders would start: keyword-led, with honest disagreement.

    Kari codes every informant turn whose words match a code's name or keywords; Ola codes the
    double-coded documents, misses some of Kari's codings, adds a few of his own, and codes some
    passages as a sentence-long span instead of the whole turn (overlapping spans).
    """
    all_codes = [c for c in q.codes(project)]
    leaves = [c for c in all_codes if not any(o.parent_id == c.id for o in all_codes)]
    patterns = []
    for c in leaves:
        terms = _stems([*c.keywords, c.name])
        if terms:
            patterns.append(
                (c, re.compile(r"\b(" + "|".join(map(re.escape, terms)) + r")", re.IGNORECASE))
            )
    counts = {coder: 0 for coder in CODERS}
    rows = project.conn.execute(
        'SELECT s.id, s.document_id, s.idx, s.start, s."end", s.text, d.name '
        "FROM segments s JOIN documents d ON d.id = s.document_id "
        "LEFT JOIN speakers sp ON sp.id = s.speaker_id "
        "WHERE COALESCE(sp.interviewer, 0) = 0 ORDER BY d.name, s.idx"
    ).fetchall()
    with project.operation(CODERS[0], "demo", Change("demo_codings")) as op:

        def put(coder: str, seg_id: int, doc_id: int, start: int, end: int, code_id: int) -> None:
            _, new = add_coding(
                op,
                document_id=doc_id,
                segment_id=seg_id,
                start=start,
                end=end,
                code_id=code_id,
                coder=coder,
            )
            counts[coder] += new

        for seg_id, doc_id, idx, start, end, text, doc_name in rows:
            hits = [(c, m) for c, pat in patterns if (m := pat.search(text))]
            # the three strongest themes of a turn, as a coder would pick, not every keyword
            hits.sort(key=lambda h: (-len(h[0].keywords), h[1].start()))
            hits = hits[:3]
            for code, match in hits:
                put("kari", seg_id, doc_id, start, end, code.id)
                if doc_name not in DOUBLE_CODED:
                    continue
                roll = _stable(doc_name, idx, code.path) % 100
                if roll < 15:
                    continue  # Ola did not see this theme here
                if roll < 35:  # Ola codes the sentence, not the whole turn
                    s, e = _sentence(text, match.start())
                    put("ola", seg_id, doc_id, start + s, start + e, code.id)
                else:
                    put("ola", seg_id, doc_id, start, end, code.id)
            if doc_name in DOUBLE_CODED and hits and _stable(doc_name, idx, "extra") % 100 < 12:
                other = leaves[_stable(doc_name, idx) % len(leaves)]
                put("ola", seg_id, doc_id, start, end, other.id)
    return counts


def _sentence(text: str, pos: int) -> tuple[int, int]:
    """The sentence of ``text`` around ``pos`` (offsets within text)."""
    start = max(text.rfind(". ", 0, pos), text.rfind("? ", 0, pos), text.rfind("! ", 0, pos))
    start = 0 if start < 0 else start + 2
    ends = [i for i in (text.find(". ", pos), text.find("? ", pos), text.find("! ", pos)) if i >= 0]
    end = min(ends) + 1 if ends else len(text)
    return start, max(end, start + 1)
