"""The agreement screen: two coders' agreement per code; walk through and resolve disagreements."""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Footer, Label, Static

from kodebok.i18n import number, t
from kodebok.i18n import percent as percent_text
from kodebok.services.lookup import coders_by_codings
from kodebok.services.project import Project
from kodebok.tui.dialogs.picker import ChoiceDialog
from kodebok.tui.screens.base import AnalysisScreen
from kodebok.tui.widgets.transcript import shorten_path

PADDING = 2  # a DataTable cell's padding, both sides together
SCROLLBAR = 2


def fit(texts: list[str], room: int) -> list[str]:
    """Document names or code paths cut to ``room`` cells (a path keeps its last name)."""
    return [shorten_path(text, max(4, room)) for text in texts]


def share(room: int, widths: list[int]) -> list[int]:
    """Split ``room`` cells between columns that want ``widths``, the widest giving way first."""
    out = list(widths)
    while sum(out) > room and max(out) > 6:
        widest = out.index(max(out))
        out[widest] -= 1
    return out


def ratio_text(value: float | None, percent: bool = False) -> str:
    """``98,8 %`` or ``0,911`` (``98.8 %``, ``0.911`` in English); ``–`` when undefined."""
    return percent_text(value) if percent else number(value)


class AgreementScreen(AnalysisScreen):
    """Percent, kappa and alpha per code; k keeps a disputed code for both, d drops it."""

    ANALYSIS_NAME = "agreement"

    BINDINGS: ClassVar[list[BindingType]] = [
        # short words in the footer (80 columns must show Q and A too), whole ones in help
        Binding("c", "coders", "key.coders", tooltip="key.coders_long"),
        Binding("k", "resolve('with')", "key.keep", tooltip="key.keep_long"),
        Binding("d", "resolve('without')", "key.drop", tooltip="key.drop_long"),
    ]

    DEFAULT_CSS = """
    #agreement { height: 1fr; }
    #agreement-summary { padding: 0 1; }
    #agreement-codes { height: 1fr; }
    #agreement-disagreements { height: 1fr; }
    #agreement-segment { height: 6; padding: 0 1; border-top: solid $panel; overflow-y: auto; }
    #agreement-empty { height: auto; padding: 1 2; margin: 1 2; border: round $primary; }
    """

    class Computed(Message):
        """A worker computed the report (or the error that stopped it)."""

        def __init__(self, report: dict[str, Any] | None, error: str = "") -> None:
            super().__init__()
            self.report = report
            self.error = error

    def __init__(self) -> None:
        super().__init__()
        self.coders: list[str] = []
        self.report: dict[str, Any] | None = None

    def compose(self) -> ComposeResult:
        """Per-code table, the disagreements, the highlighted segment's text."""
        with Vertical(id="agreement"):
            yield Label(t("agreement.title"), classes="screen-title")
            yield Label("", id="agreement-summary")
            yield DataTable(id="agreement-codes", cursor_type="row")
            yield Label(t("agreement.disagreements"), classes="panel-title")
            yield DataTable(id="agreement-disagreements", cursor_type="row")
            yield Static("", id="agreement-segment")
            yield Static(t("analysis.loading"), id="agreement-empty")
        yield Footer()

    def extra_help(self) -> list[tuple[str, str]]:
        """Keys handled by the widgets, for the help screen."""
        return [("Tab", t("analysis.help_tab"))]

    def on_mount(self) -> None:
        """Choose the two coders with most codings and compute."""
        codes = self.query_one("#agreement-codes", DataTable)
        codes.add_columns(
            t("matrix.code"),
            "%",
            t("agreement.kappa"),
            t("agreement.alpha"),
            t("agreement.positives"),
        )
        dis = self.query_one("#agreement-disagreements", DataTable)
        dis.add_columns(
            t("library.document"),
            "#",
            t("matrix.code"),
            t("agreement.with"),
            t("agreement.without"),
        )
        self._show(False)
        self.reload()
        self.mark_seen()

    def _show(self, results: bool) -> None:
        for selector in ("#agreement-codes", "#agreement-disagreements", "#agreement-segment"):
            self.query_one(selector).display = results
        self.query_one("#agreement-empty").display = not results

    def reload(self) -> None:
        """Recompute in a worker (first time: for the two coders with most codings)."""
        self.query_one("#agreement-summary", Label).update(" + ".join(self.coders))
        self.compute(list(self.coders))

    @work(thread=True, exclusive=True, group="agreement")
    def compute(self, coders: list[str]) -> None:
        """Gather units and compute agreement in a thread with its own connection."""
        from kodebok.services.team import agreement_report

        def read(project: Project) -> dict[str, Any] | None:
            chosen = coders or coders_by_codings(project)[:2]
            return agreement_report(project, chosen) if len(chosen) >= 2 else None

        report, error = self.read_project(read)
        if report is None and not error:
            error = t("agreement.need_two")
        self.post_message(self.Computed(report, error))

    def on_agreement_screen_computed(self, message: Computed) -> None:
        """Fill both tables."""
        if message.report is None:
            self.query_one("#agreement-empty", Static).update(message.error)
            self._show(False)
            return
        report = self.report = message.report
        self.coders = list(report["coders"])
        self._show(True)
        overall = report["overall"]
        self.query_one("#agreement-summary", Label).update(
            t(
                "agreement.summary",
                coders=" + ".join(report["coders"]),
                documents=len(report["documents"]),
                percent=ratio_text(overall["percent"], True),
                kappa=ratio_text(overall["kappa"]),
                alpha=ratio_text(overall["alpha"]),
                n=len(report["disagreements"]),
            )
        )
        self._fill()
        dis = self.query_one("#agreement-disagreements", DataTable)
        if dis.row_count:
            dis.focus()
        self._show_segment()

    def on_resize(self) -> None:
        """Cut names to the new width (the coder columns always stay in view)."""
        if self.report is not None:
            self._fill()

    def _fill(self) -> None:
        """Both tables; document and code names give way so the coder columns fit."""
        report = self.report
        if report is None:
            return
        width = self.size.width - SCROLLBAR
        codes = self.query_one("#agreement-codes", DataTable)
        keep_code = codes.cursor_row
        codes.clear()
        rows = [
            [
                ratio_text(row["percent"], True),
                ratio_text(row["kappa"]),
                ratio_text(row["alpha"]),
                ", ".join(f"{k} {v}" for k, v in row["positives"].items()),
            ]
            for row in report["codes"]
        ]
        names = [str(row["code"]) for row in report["codes"]]
        fixed = sum(
            max([len(h), *(len(r[i]) for r in rows)]) + PADDING
            for i, h in enumerate(["%", "kappa", "alpha", t("agreement.positives")])
        )
        room = width - fixed - PADDING
        for name, cells in zip(fit(names, room), rows, strict=True):
            codes.add_row(name, *cells)
        if codes.row_count:
            codes.move_cursor(row=min(keep_code, codes.row_count - 1))

        dis = self.query_one("#agreement-disagreements", DataTable)
        keep = dis.cursor_row
        dis.clear()
        items = report["disagreements"]
        with_ = [", ".join(d["with"]) for d in items]
        without = [", ".join(d["without"]) for d in items]
        numbers = [str(d["idx"] + 1) for d in items]
        fixed = sum(
            max([len(h), *(len(v) for v in values)]) + PADDING
            for h, values in (
                ("#", numbers),
                (t("agreement.with"), with_),
                (t("agreement.without"), without),
            )
        )
        documents = [str(d["document"]) for d in items]
        code_names = [str(d["code"]) for d in items]
        doc_room, code_room = share(
            width - fixed - 2 * PADDING,
            [
                max([len(t("library.document")), *map(len, documents)]),
                max([len(t("matrix.code")), *map(len, code_names)]),
            ],
        )
        for row in zip(
            fit(documents, doc_room),
            numbers,
            fit(code_names, code_room),
            with_,
            without,
            strict=True,
        ):
            dis.add_row(*row)
        if dis.row_count:
            dis.move_cursor(row=min(keep, dis.row_count - 1))

    @on(DataTable.RowHighlighted, "#agreement-disagreements")
    def _highlighted(self) -> None:
        self._show_segment()

    def _current(self) -> dict[str, Any] | None:
        report = self.report
        dis = self.query_one("#agreement-disagreements", DataTable)
        if report is None or not dis.row_count or dis.cursor_row >= len(report["disagreements"]):
            return None
        current: dict[str, Any] = report["disagreements"][dis.cursor_row]
        return current

    def _show_segment(self) -> None:
        current = self._current()
        segment = self.query_one("#agreement-segment", Static)
        if current is None:
            segment.update(t("agreement.none"))
            return
        segment.update(
            t(
                "agreement.segment",
                document=current["document"],
                idx=current["idx"] + 1,
                code=current["code"],
                coders=", ".join(current["with"]),
                text=current["text"],
            )
        )

    def action_coders(self) -> None:
        """Choose the two coders to compare."""
        coders = coders_by_codings(self.session.project)
        pairs = [
            (f"{a}\x00{b}", f"{a} + {b}") for i, a in enumerate(coders) for b in coders[i + 1 :]
        ]
        if not pairs:
            self.notify(t("agreement.need_two"), severity="warning")
            return

        def chosen(value: str | None) -> None:
            if value:
                self.coders = value.split("\x00")
                self.reload()

        self.app.push_screen(ChoiceDialog(t("agreement.choose_coders"), list(pairs)), chosen)

    def action_resolve(self, keep: str) -> None:
        """Keep the code for both coders (``with``) or remove it (``without``); one undo step."""
        current = self._current()
        if current is None:
            self.notify(t("agreement.none"), severity="warning")
            return
        from kodebok.services.team import resolve_disagreement

        coders = list(self.coders)
        me = self.kapp.coder
        segment, code = int(current["segment"]), str(current["code"])

        def done(verdict: str) -> None:
            self.notify(t("agreement.resolved", code=code, verdict=verdict))
            self.session.changed()
            self.mark_seen()
            self.reload()

        self.kapp.write(
            lambda p: resolve_disagreement(p, segment, code, keep, coders=coders, coder=me), done
        )
