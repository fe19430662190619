"""`kodebok bench --scale small` completes, and every available stage reports its figures."""

from __future__ import annotations

import json

from click.testing import CliRunner

from kodebok.cli import main


def test_small_bench_reports_every_stage() -> None:
    result = CliRunner().invoke(
        main, ["bench", "--scale", "small", "--format", "json"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["scale"] == "small"
    assert {"cpus", "python", "pipeline"} <= set(report["machine"])
    names = [s["name"] for s in report["stages"]]
    assert names[:3] == ["import", "codings", "nlp"]
    for stage in report["stages"]:
        assert stage["status"] in ("ok", "not available"), stage
        if stage["status"] == "ok":
            assert isinstance(stage["seconds"], float | int), stage
            assert isinstance(stage["throughput"], float | int), stage
            assert stage["unit"], stage
            assert stage["peak_rss_mb"] > 0, stage
    assert all(s["status"] == "ok" for s in report["stages"])
