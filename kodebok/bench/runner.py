"""Runs benchmark stages, each in a fresh process so that its peak RSS is its own."""

from __future__ import annotations

import json
import multiprocessing
import os
import platform
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from kodebok.bench.context import BenchContext, StageUnavailable
from kodebok.bench.generator import SCALES


@dataclass
class StageResult:
    """One stage's figures (``status`` ok | not available | failed)."""

    name: str
    status: str
    seconds: float | None = None
    throughput: float | None = None
    unit: str | None = None
    peak_rss_mb: float | None = None
    ratio_to_limit: float | None = None
    limit: str | None = None
    detail: str | None = None


def _peak_rss_mb() -> float:
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024.0 if platform.system() != "Darwin" else peak / (1024.0 * 1024.0)


def _child(name: str, ctx: BenchContext, queue: Any) -> None:
    from kodebok.bench.stages import STAGES

    fn = dict(STAGES)[name]
    try:
        figures = fn(ctx)
        result = StageResult(name=name, status="ok", **figures)
    except StageUnavailable as exc:
        result = StageResult(name=name, status="not available", detail=str(exc))
    except Exception as exc:  # a failing stage is reported, the others still run
        result = StageResult(
            name=name,
            status="failed",
            detail=f"{type(exc).__name__}: {exc}\n{traceback.format_exc()[-800:]}",
        )
    result.peak_rss_mb = round(_peak_rss_mb(), 1)
    queue.put(asdict(result))


def run_stage(name: str, ctx: BenchContext, timeout: float = 1800.0) -> StageResult:
    """Run one stage in a spawned process and collect its result."""
    mp = multiprocessing.get_context("spawn")
    queue = mp.Queue()
    proc = mp.Process(target=_child, args=(name, ctx, queue))
    proc.start()
    deadline = time.monotonic() + timeout
    data = None
    while data is None:
        try:
            data = queue.get(timeout=1.0)
        except Exception:  # queue.Empty: still working, or gone without a word
            if not proc.is_alive() or time.monotonic() > deadline:
                try:  # it may have reported just before it ended
                    data = queue.get(timeout=1.0)
                    break
                except Exception:
                    pass
                proc.kill()
                proc.join()
                return StageResult(
                    name=name, status="failed", detail=f"no result (exit code {proc.exitcode})"
                )
    proc.join()
    return StageResult(**data)


def run_bench(
    scale_name: str = "small",
    stages: list[str] | None = None,
    folder: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Run the benchmark; returns the JSON-ready report of spec issue 'kodebok bench'."""
    from kodebok.bench.stages import STAGES, pipeline_name

    scale = SCALES[scale_name]
    names = [n for n, _ in STAGES]
    if stages:
        unknown = [s for s in stages if s not in names and not any(n.startswith(s) for n in names)]
        if unknown:
            from kodebok.errors import KodebokError

            raise KodebokError(f"unknown stage(s) {', '.join(unknown)}; stages: {', '.join(names)}")
    with tempfile.TemporaryDirectory(prefix="kodebok-bench-", dir=folder) as tmp:
        ctx = BenchContext(scale=scale, folder=Path(tmp), project=Path(tmp) / "bench.kodebok")
        results: list[StageResult] = []
        for name in names:
            # import and codings build the project every later stage needs
            wanted = (
                not stages
                or name in ("import", "codings")
                or any(name == s or name.startswith(s) for s in stages)
            )
            if not wanted:
                continue
            if progress is not None:
                progress(name)
            started = time.perf_counter()
            result = run_stage(name, ctx)
            if result.seconds is None and result.status == "ok":
                result.seconds = round(time.perf_counter() - started, 3)
            results.append(result)
    return {
        "scale": scale_name,
        "corpus": asdict(scale),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "pipeline": pipeline_name(),
        },
        "stages": [asdict(r) for r in results],
    }


def format_table(report: dict[str, Any]) -> str:
    """The report as a readable table."""
    head = (
        f"{'stage':<28} {'status':<14} {'seconds':>9} {'throughput':>14} {'unit':<16} "
        f"{'peak MB':>8} {'ratio':>7}"
    )
    lines = [
        f"kodebok bench, scale {report['scale']}: {json.dumps(report['corpus'])}",
        f"machine: {report['machine']}",
        head,
        "-" * len(head),
    ]
    for s in report["stages"]:

        def num(v: Any, fmt: str) -> str:
            return format(v, fmt) if isinstance(v, int | float) else "–"

        lines.append(
            f"{s['name']:<28} {s['status']:<14} {num(s['seconds'], '9.3f')} "
            f"{num(s['throughput'], '14,.1f')} {(s['unit'] or ''):<16} "
            f"{num(s['peak_rss_mb'], '8.1f')} {num(s['ratio_to_limit'], '7.2f')}"
        )
        if s["status"] != "ok" and s.get("detail"):
            lines.append(f"    {s['detail'].splitlines()[0][:110]}")
    return "\n".join(lines)
