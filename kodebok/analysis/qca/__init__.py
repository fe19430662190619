"""Crisp-set QCA as pure functions whose results equal R's QCA package (3.23) on its reference data.

Data table → :func:`truth_table` → :func:`minimize` (complex, parsimonious, intermediate; all
equally minimal models) with fit per term and model, plus :func:`necessity` of single conditions.
"""

from kodebok.analysis.qca.data import (
    DataTable,
    ascii_name,
    data_table_from_presence,
    format_data_csv,
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
from kodebok.analysis.qca.truth_table import TruthRow, TruthTable, truth_table

__all__ = [
    "DataTable",
    "Fit",
    "Implicant",
    "Model",
    "NecessityRow",
    "Solution",
    "TruthRow",
    "TruthTable",
    "ascii_name",
    "complex_solution",
    "data_table_from_presence",
    "format_data_csv",
    "intermediate_solution",
    "minimize",
    "model_fit",
    "necessity",
    "necessity_json",
    "parse_dir_exp",
    "parse_term",
    "parsimonious_solution",
    "read_data_csv",
    "solution_json",
    "term_fit",
    "term_text",
    "truth_table",
]
