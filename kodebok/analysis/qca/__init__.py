"""Crisp- and fuzzy-set QCA as pure functions whose results equal R's QCA package (3.23) on its
reference data.

Data table → :func:`truth_table` → :func:`minimize` (complex, parsimonious, intermediate; all
equally minimal models) with fit per term and model, plus :func:`necessity` of single conditions
and :func:`super_subset` (necessary conjunctions and disjunctions). Raw measures become fuzzy
memberships with :func:`calibrate_fuzzy` (direct method) or crisp ones with :func:`calibrate_crisp`.
"""

from kodebok.analysis.qca.calibrate import (
    Anchors,
    calibrate_crisp,
    calibrate_fuzzy,
    parse_thresholds,
)
from kodebok.analysis.qca.data import (
    DataTable,
    ascii_name,
    data_table_from_presence,
    format_data_csv,
    make_data_table,
    read_data_csv,
)
from kodebok.analysis.qca.fit import Fit, model_fit, term_fit
from kodebok.analysis.qca.formula import Implicant, parse_term, term_text
from kodebok.analysis.qca.necessity import NecessityRow, necessity, necessity_json
from kodebok.analysis.qca.solutions import (
    Model,
    Solution,
    complex_solution,
    intermediate_solution,
    minimize,
    parse_dir_exp,
    parsimonious_solution,
    solution_json,
)
from kodebok.analysis.qca.supersubset import SuperSubsetRow, super_subset, super_subset_json
from kodebok.analysis.qca.truth_table import TruthRow, TruthTable, truth_table

__all__ = [
    "Anchors",
    "DataTable",
    "Fit",
    "Implicant",
    "Model",
    "NecessityRow",
    "Solution",
    "SuperSubsetRow",
    "TruthRow",
    "TruthTable",
    "ascii_name",
    "calibrate_crisp",
    "calibrate_fuzzy",
    "complex_solution",
    "data_table_from_presence",
    "format_data_csv",
    "intermediate_solution",
    "make_data_table",
    "minimize",
    "model_fit",
    "necessity",
    "necessity_json",
    "parse_dir_exp",
    "parse_term",
    "parse_thresholds",
    "parsimonious_solution",
    "read_data_csv",
    "solution_json",
    "super_subset",
    "super_subset_json",
    "term_fit",
    "term_text",
    "truth_table",
]
