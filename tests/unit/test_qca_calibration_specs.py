"""Reading ``--calibrate`` specifications (no project needed)."""

from __future__ import annotations

import pytest

from kodebok.errors import AnalysisError
from kodebok.services.qca import is_attribute_condition
from kodebok.services.qca_calibration import is_calibration, parse_calibration


def test_attribute_and_code_measures():
    c = parse_calibration("innbyggere: e=2000, c=8000, i=20000")
    assert (c.kind, c.target, c.column) == ("attribute", "innbyggere", "innbyggere")
    assert (c.anchors.exclusion, c.anchors.crossover, c.anchors.inclusion) == (2000, 8000, 20000)
    c = parse_calibration("share(Ledelse/Fremmer):e=0,c=0.2,i=0.5")
    assert (c.kind, c.target, c.column) == ("share", "Ledelse/Fremmer", "share_Ledelse_Fremmer")
    c = parse_calibration("Words(Økonomi):e=50,c=20,i=5")
    assert (c.kind, c.column) == ("words", "words_Okonomi")
    assert not c.anchors.increasing


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("innbyggere:e=1,c=2,i=3", True),
        ("codings(X): c=1, e=0, i=2", True),
        ("innbyggere>=8000", False),
        ("organisering=tonivå", False),
        ("Tema: ledelse", False),
        ("Ledelse", False),
    ],
)
def test_a_calibration_is_told_from_codes_and_attribute_tests(spec, expected):
    assert is_calibration(spec) is expected
    if not expected and "=" in spec:
        assert is_attribute_condition(spec)


def test_unknown_measure_and_bad_anchors():
    with pytest.raises(AnalysisError, match="unknown measure 'letters'"):
        parse_calibration("letters(X):e=0,c=1,i=2")
    with pytest.raises(AnalysisError, match="strictly between"):
        parse_calibration("innbyggere:e=0,c=5,i=2")
