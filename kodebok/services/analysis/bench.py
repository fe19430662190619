"""Analysis benchmark: a large synthetic project written straight into SQLite, then timed queries.

``benchmark_analysis()`` is what ``kodebok bench``'s stage analysis-spec calls (also
``python -m kodebok.services.analysis.bench``); figures are seconds per matrix unit,
co-occurrence unit, presence and quotes, each with its ratio to a bare
``SELECT code_id, case_id, COUNT(*) ... GROUP BY`` over the same codings.
"""

from __future__ import annotations

import random
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from kodebok.analysis.matrix import UNITS
from kodebok.services.analysis.counts import cooccurrence, matrix
from kodebok.services.analysis.presence import presence
from kodebok.services.analysis.quotes import quotes
from kodebok.store import Project

_WORDS = [
    "vi",
    "kommunen",
    "styring",
    "rapportering",
    "tjenester",
    "skole",
    "barnehage",
    "økonomi",
    "ledere",
    "rådmann",
    "politikere",
    "medvirkning",
    "tillitsvalgte",
    "mål",
    "resultat",
    "kvalitet",
    "samarbeid",
    "plan",
    "budsjett",
    "og",
    "i",
    "på",
    "at",
    "det",
    "som",
    "er",
    "for",
    "med",
    "til",
    "ikke",
    "har",
    "var",
    "de",
    "en",
    "av",
]
BARE_SQL = (
    "SELECT k.code_id, d.case_id, COUNT(*) FROM codings k "
    "JOIN documents d ON d.id = k.document_id GROUP BY k.code_id, d.case_id"
)


@dataclass(frozen=True)
class Scale:
    """How big the generated project is."""

    documents: int = 200
    segments: int = 60_000
    codings: int = 150_000
    codes: int = 150
    cases: int = 50


def generate(path: Path, scale: Scale = Scale(), seed: int = 1) -> None:
    """Write a project of the given size with executemany (no journal, no services)."""
    rng = random.Random(seed)
    project = Project.create(path)
    conn = project.conn
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO cases(id, name) VALUES (?, ?)",
        [(i, f"Kommune {i:02d}") for i in range(1, scale.cases + 1)],
    )
    bands = ["≤3000", "3001–8000", "8001–30000", "≥30001"]
    conn.executemany(
        "INSERT INTO attributes(entity_kind, entity_id, name, value) VALUES ('case', ?, ?, ?)",
        [(i, "storrelse", rng.choice(bands)) for i in range(1, scale.cases + 1)],
    )
    parents = max(1, scale.codes // 10)
    code_rows = []
    for i in range(1, scale.codes + 1):
        parent = None if i <= parents else 1 + (i % parents)
        code_rows.append((i, parent, f"Kode {i}", i))
    conn.executemany("INSERT INTO codes(id, parent_id, name, position) VALUES (?,?,?,?)", code_rows)
    per_doc = scale.segments // scale.documents
    seg_rows, spk_rows, attr_rows, doc_rows, spans = [], [], [], [], []
    seg_id = spk_id = 0
    for d in range(1, scale.documents + 1):
        first_spk = spk_id + 1
        for label in ("I", "IP1", "IP2", "IP3"):
            spk_id += 1
            spk_rows.append((spk_id, d, label, int(label == "I")))
            level = rng.choice(["politisk", "administrativ", "tjenesteledere"])
            attr_rows.append(("speaker", spk_id, "level", level))
        pos, lines = 0, []
        for idx in range(per_doc):
            seg_id += 1
            line = " ".join(rng.choices(_WORDS, k=rng.randint(8, 30)))
            speaker = first_spk + (0 if idx % 2 == 0 else rng.randint(1, 3))
            seg_rows.append((seg_id, d, idx, pos, pos + len(line), speaker, line))
            spans.append((seg_id, d, pos, pos + len(line)))
            lines.append(line)
            pos += len(line) + 1
        kind = "intervju" if d % 5 else "egenrapport"
        case = 1 + (d - 1) % scale.cases
        doc_rows.append((d, f"dok{d:03d}", kind, case, "\n".join(lines), str(d), "2024"))
    conn.executemany(
        "INSERT INTO documents(id, name, kind, case_id, text, sha256, imported_at) "
        "VALUES (?,?,?,?,?,?,?)",
        doc_rows,
    )
    conn.executemany(
        "INSERT INTO speakers(id, document_id, label, interviewer) VALUES (?,?,?,?)", spk_rows
    )
    conn.executemany(
        'INSERT INTO segments(id, document_id, idx, start, "end", speaker_id, text) '
        "VALUES (?,?,?,?,?,?,?)",
        seg_rows,
    )
    conn.executemany(
        "INSERT INTO attributes(entity_kind, entity_id, name, value) VALUES (?,?,?,?)", attr_rows
    )
    coding_rows: list[tuple[int, int, int, int, int, str]] = []
    seen: set[tuple[int, int, int, int, str]] = set()
    while len(coding_rows) < scale.codings:
        seg, doc, start, end = rng.choice(spans)
        if rng.random() < 0.3:  # a part of the turn, so spans overlap
            a, b = sorted(rng.sample(range(start, end + 1), 2))
            start, end = a, max(b, a + 1)
        code = rng.randint(1, scale.codes)
        coder = "ane" if rng.random() < 0.8 else "bo"
        if (doc, start, end, code, coder) in seen:
            continue
        seen.add((doc, start, end, code, coder))
        coding_rows.append((doc, seg, start, end, code, coder))
    conn.executemany(
        'INSERT INTO codings(document_id, segment_id, start, "end", code_id, coder, created_at) '
        "VALUES (?,?,?,?,?,?,'2024')",
        coding_rows,
    )
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    project.close()


def _best(fn: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times, default=float("inf"))


def benchmark_analysis(
    scale: Scale = Scale(), folder: Path | None = None, repeat: int = 3, seed: int = 1
) -> dict[str, Any]:
    """Generate the project, then time every matrix unit, co-occurrence, presence and quotes."""
    with tempfile.TemporaryDirectory() as tmp:
        path = (folder or Path(tmp)) / "bench_analysis.kodebok"
        path.unlink(missing_ok=True)
        started = time.perf_counter()
        generate(path, scale, seed)
        out: dict[str, Any] = {"scale": scale.__dict__, "generate_s": time.perf_counter() - started}
        with Project.open(path) as p:
            bare = _best(lambda: p.conn.execute(BARE_SQL).fetchall(), repeat)
            runs: dict[str, Callable[[], Any]] = {}
            for unit in UNITS:
                runs[f"matrix {unit} by case"] = partial(matrix, p, "case", unit)
            for unit in UNITS:
                runs[f"matrix {unit} by speaker level, column %, rollup"] = partial(
                    matrix, p, "level", unit, "column", rollup=True
                )
            for unit in ("segment", "overlap", "document", "case"):
                runs[f"cooccurrence {unit}"] = partial(cooccurrence, p, unit)
            runs["presence all codes"] = partial(presence, p)
            runs["quotes one code"] = partial(quotes, p, ["Kode 42"])
            runs["quotes one code, pseudonymised"] = partial(
                quotes, p, ["Kode 42"], pseudonymise=True
            )
            runs["quotes parent with its subcodes"] = partial(quotes, p, ["Kode 1"])
            # the first run is cold (word positions of the documents are cached after it)
            first = {name: _best(fn, 1) for name, fn in runs.items()}
            timings = {name: min(first[name], _best(fn, repeat - 1)) for name, fn in runs.items()}
        out["bare_group_by_s"] = bare
        out["first_run_s"] = first
        out["timings_s"] = timings
        out["ratio_to_bare"] = {k: v / bare if bare else None for k, v in first.items()}
        return out


if __name__ == "__main__":  # python -m kodebok.services.analysis.bench
    import json

    print(json.dumps(benchmark_analysis(), indent=2, ensure_ascii=False))
