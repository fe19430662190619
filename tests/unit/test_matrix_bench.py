"""The analysis benchmark runs end to end on a tiny scale (the full scale is for `kodebok bench`)."""

from __future__ import annotations

from pathlib import Path

from kodebok.analysis.matrix import UNITS
from kodebok.services.analysis.bench import Scale, benchmark_analysis


def test_benchmark_times_every_matrix_unit_and_quotes(tmp_path: Path) -> None:
    result = benchmark_analysis(
        Scale(documents=4, segments=200, codings=400, codes=50, cases=3), tmp_path, repeat=1
    )
    timings = result["timings_s"]
    for unit in UNITS:
        assert f"matrix {unit} by case" in timings
    assert "quotes one code" in timings
    assert result["bare_group_by_s"] >= 0
    assert set(result["ratio_to_bare"]) == set(timings)
