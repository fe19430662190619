"""The transcript view: segments with speaker, time, wrapped text and a gutter of code chips.

Only the visible lines are rendered (``render_line``), and a segment's lines are built once
per width and cached, so a 1,500-segment transcript scrolls and codes as fast as a short one.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from rich.segment import Segment as RichSegment
from rich.style import Style
from textual import events
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from kodebok.services.workspace import ViewSegment

_WORD = re.compile(r"\S+")
BAR_WIDTH = 2


@dataclass(frozen=True)
class Chip:
    """One code shown in the gutter: label, colour, and whether another coder made it.

    ``label`` is the code's name, or as much of its path as tells it apart from codes with the
    same name (``Ledelse/Fremmer``); ``coder`` names the other coder of another coder's chip.
    """

    label: str
    color: str
    other: bool
    partial: bool
    coder: str = ""


def shorten_path(label: str, room: int) -> str:
    """``label`` in at most ``room`` cells; a path keeps its last name and shortens the rest."""
    if len(label) <= room:
        return label
    parent, sep, leaf = label.rpartition("/")
    if sep and len(leaf) + 3 <= room:
        return parent[: room - len(leaf) - 2] + "…/" + leaf
    if sep:
        label = leaf
        if len(label) <= room:
            return label
    return label[: max(1, room - 1)] + "…"


def chip_text(label: str, coder: str, room: int) -> str:
    """A chip's text in ``room`` cells: the coder stays visible, the code name gives way first."""
    suffix = f" · {coder}" if coder else ""
    if len(label) + len(suffix) <= room:
        return label + suffix
    most = max(4, room // 2)  # the coder's part never takes more than half
    if len(suffix) > most:
        suffix = suffix[: most - 1] + "…"
    return shorten_path(label, max(1, room - len(suffix))) + suffix


def format_time(seconds: float | None) -> str:
    """``hh:mm:ss`` for a timed transcript, '' otherwise."""
    if seconds is None:
        return ""
    s = int(seconds)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def wrap_words(words: list[tuple[int, int]], width: int) -> list[tuple[int, int]]:
    """Greedy word wrap: (first, end) word index ranges per line for a text area of ``width``."""
    lines: list[tuple[int, int]] = []
    first = 0
    used = 0
    for i, (start, end) in enumerate(words):
        length = end - start
        if i > first and used + 1 + length > width:
            lines.append((first, i))
            first, used = i, length
        else:
            used = length if i == first else used + 1 + length
    if words:
        lines.append((first, len(words)))
    return lines or [(0, 0)]


class TranscriptView(ScrollView, can_focus=True, inherit_bindings=False):
    """Virtualised list of segments with a current segment and an optional word selection."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "transcript--current",
        "transcript--speaker",
        "transcript--interviewer",
        "transcript--meta",
        "transcript--selection",
        "transcript--bar",
    }

    DEFAULT_CSS = """
    TranscriptView {
        background: $surface;
        scrollbar-size-vertical: 1;
        overflow-x: hidden;
    }
    TranscriptView > .transcript--current { background: $boost; }
    TranscriptView > .transcript--speaker { text-style: bold; color: $text; }
    TranscriptView > .transcript--interviewer { color: $text-muted; }
    TranscriptView > .transcript--meta { color: $text-muted; }
    TranscriptView > .transcript--selection { background: $accent; color: $text; }
    TranscriptView > .transcript--bar { color: $accent; }
    """

    class CurrentChanged(Message):
        """The current segment moved."""

        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def __init__(
        self,
        chips: Callable[[ViewSegment, bool], list[Chip]],
        *,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self._chips = chips
        self.segments: list[ViewSegment] = []
        self._words: list[list[tuple[int, int]] | None] = []
        self.current = 0
        self.show_others = True
        self.selection: tuple[int, int] | None = None  # word indices, inclusive
        self._layout_width = -1
        self._offsets: list[int] = [0]
        self._cache: dict[int, list[Strip]] = {}
        # For timing (kodebok.tui.bench): a change counter and the change last painted.
        self.changes = 0
        self.painted_change = -1
        self.painted = False

    @property
    def built_segments(self) -> int:
        """How many segments have their lines built (only those shown are: a long transcript
        is not rendered whole)."""
        return len(self._cache)

    # -- data ------------------------------------------------------------------------------

    def load(self, segments: list[ViewSegment], current: int = 0) -> None:
        """Show these segments with ``current`` selected."""
        self.segments = segments
        self._words = [None] * len(segments)
        self.current = max(0, min(current, len(segments) - 1))
        self.selection = None
        # every segment may have changed (undo, redo, codebook edits): nothing cached survives
        self._cache.clear()
        self._relayout(force=True)
        self.changes += 1
        self.scroll_to_current()
        self.refresh()

    def words(self, index: int) -> list[tuple[int, int]]:
        """Word offsets (inside the segment's text) of a segment, computed once."""
        cached = self._words[index]
        if cached is None:
            cached = [(m.start(), m.end()) for m in _WORD.finditer(self.segments[index].text)]
            self._words[index] = cached
        return cached

    def segment_changed(self, index: int) -> None:
        """A segment's codings or memo changed: re-render it (its height may change)."""
        self._cache.pop(index, None)
        before = self._offsets[index + 1] - self._offsets[index]
        self._relayout(force=True)
        self.changes += 1
        if self._offsets[index + 1] - self._offsets[index] == before:
            self._refresh_segment(index)
        else:
            self.refresh()

    def redraw(self) -> None:
        """Re-render every segment (codes renamed or recoloured, others shown or hidden)."""
        self._cache.clear()
        self._relayout(force=True)
        self.changes += 1
        self.refresh()

    # -- geometry --------------------------------------------------------------------------

    def _widths(self) -> tuple[int, int]:
        total = max(20, self.scrollable_content_region.width or self.size.width or 80)
        # 80 columns (79 beside the scrollbar) keep the wide gutter: chips must say which code
        gutter = 24 if total >= 76 else 16
        return max(10, total - BAR_WIDTH - 1 - gutter), gutter

    def _relayout(self, *, force: bool = False) -> None:
        text_width, _ = self._widths()
        if not force and text_width == self._layout_width:
            return
        if text_width != self._layout_width:
            self._cache.clear()
        self._layout_width = text_width
        offsets = [0]
        total = 0
        for i, seg in enumerate(self.segments):
            lines = len(wrap_words(self.words(i), text_width))
            chips = len(self._chips(seg, self.show_others))
            total += max(1 + lines, chips) + 1
            offsets.append(total)
        self._offsets = offsets
        self.virtual_size = Size(self.size.width, total)

    def on_resize(self, event: events.Resize) -> None:
        """Re-wrap at the new width."""
        self._relayout()
        self.scroll_to_current()

    def segment_at(self, y: int) -> int:
        """The index of the segment drawn at virtual line ``y``."""
        return max(0, min(len(self.segments) - 1, bisect_right(self._offsets, y) - 1))

    def scroll_to_current(self) -> bool:
        """Scroll so the whole current segment is visible; True when the view scrolled.

        Like a scroll-off margin in an editor, the view jumps by a good part of a screen
        instead of one segment at a time, so most moves repaint two segments, not all lines.
        """
        if not self.segments:
            return False
        top, bottom = self._offsets[self.current], self._offsets[self.current + 1]
        height = self.scrollable_content_region.height or self.size.height
        y = self.scroll_offset.y
        if top >= y and bottom <= y + height:
            return False
        margin = height // 4
        if bottom - top > height - margin:
            target = top
        elif top < y:
            target = max(0, min(top, bottom - (height - margin)))
        else:
            target = max(0, top - margin)
        if target == y:
            return False
        self.scroll_to(y=target, animate=False, immediate=True)
        return True

    def _refresh_segment(self, index: int) -> None:
        top = self._offsets[index]
        self.refresh_lines(top, self._offsets[index + 1] - top)

    def page_size(self, direction: int = 1) -> int:
        """How many segments one screenful down (or up) from the current one spans (≥ 1)."""
        height = self.scrollable_content_region.height or self.size.height
        start = self._offsets[self.current]
        if direction > 0:
            return max(1, self.segment_at(start + height) - self.current)
        return max(1, self.current - self.segment_at(max(0, start - height)))

    # -- moving ----------------------------------------------------------------------------

    def go(self, index: int) -> None:
        """Make segment ``index`` current."""
        if not self.segments:
            return
        index = max(0, min(index, len(self.segments) - 1))
        if index == self.current:
            return
        old = self.current
        self.current = index
        self.selection = None
        self._cache.pop(old, None)
        self._cache.pop(index, None)
        self.changes += 1
        if self.scroll_to_current():
            self.refresh()
        else:
            self._refresh_segment(old)
            self._refresh_segment(index)
        self.post_message(self.CurrentChanged(index))

    def set_selection(self, selection: tuple[int, int] | None) -> None:
        """Select words of the current segment (inclusive indices), or clear the selection."""
        self.selection = selection
        self._cache.pop(self.current, None)
        self.changes += 1
        self._refresh_segment(self.current)

    def on_click(self, event: events.Click) -> None:
        """A click makes the clicked segment current."""
        self.go(self.segment_at(self.scroll_offset.y + event.y))

    # -- rendering -------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        """One screen line: looked up in the current segment's cached strips."""
        self.painted = True
        self.painted_change = self.changes
        width = self.scrollable_content_region.width or self.size.width
        line = self.scroll_offset.y + y
        if not self.segments or line >= self._offsets[-1]:
            return Strip.blank(width, self.rich_style)
        index = self.segment_at(line)
        strips = self._cache.get(index)
        if strips is None:
            strips = self._render_segment(index)
            self._cache[index] = strips
        k = line - self._offsets[index]
        strip = strips[k] if k < len(strips) else Strip.blank(width, self.rich_style)
        return strip.adjust_cell_length(width, self.rich_style)

    def _render_segment(self, index: int) -> list[Strip]:
        seg = self.segments[index]
        text_width, gutter = self._widths()
        base = self.rich_style
        current = index == self.current
        if current:
            base = base + self.get_component_rich_style("transcript--current", partial=True)
        text_style = base
        if seg.interviewer:
            text_style = base + self.get_component_rich_style(
                "transcript--interviewer", partial=True
            )
        speaker_style = text_style + self.get_component_rich_style(
            "transcript--speaker", partial=True
        )
        meta_style = base + self.get_component_rich_style("transcript--meta", partial=True)
        selected_style = base + self.get_component_rich_style("transcript--selection", partial=True)
        bar_style = base + self.get_component_rich_style("transcript--bar", partial=True)

        header: list[RichSegment] = [RichSegment(seg.speaker or "¶", speaker_style)]
        extra = "  ".join(
            part
            for part in (format_time(seg.t_start), f"#{seg.idx + 1}", "✎" if seg.has_memo else "")
            if part
        )
        header.append(RichSegment("  " + extra, meta_style))
        text_lines = [Strip(header)]

        words = self.words(index)
        spans = [
            (c.start - seg.start, c.end - seg.start)
            for c in seg.codings
            if (c.start, c.end) != (seg.start, seg.end)
            and (self.show_others or not self._is_other(c.coder))
        ]
        selection = self.selection if current else None
        for first, end in wrap_words(words, text_width):
            parts: list[RichSegment] = []
            for w in range(first, end):
                ws, we = words[w]
                style = text_style
                if any(s < we and ws < e for s, e in spans):
                    style = style + Style(underline=True)
                if selection is not None and selection[0] <= w <= selection[1]:
                    style = selected_style
                if w > first:
                    parts.append(
                        RichSegment(
                            " ",
                            selected_style
                            if selection is not None and selection[0] < w <= selection[1]
                            else text_style,
                        )
                    )
                parts.append(RichSegment(seg.text[ws:we], style))
            text_lines.append(Strip(parts))

        chips = self._chips(seg, self.show_others)
        height = max(len(text_lines), len(chips)) + 1
        bar = RichSegment("▌ " if current else "  ", bar_style)
        full = BAR_WIDTH + text_width + 1 + gutter
        out: list[Strip] = []
        for k in range(height):
            left = text_lines[k] if k < len(text_lines) else Strip([])
            left = left.crop(0, text_width).adjust_cell_length(text_width + 1, base)
            pieces = [bar, *left]
            if k < len(chips):
                pieces.extend(self._chip_segments(chips[k], gutter, base))
            if k == height - 1:
                out.append(Strip.blank(full, self.rich_style))
            else:
                out.append(Strip(pieces).adjust_cell_length(full, base))
        return out

    def _is_other(self, coder: str) -> bool:
        return coder != getattr(self.app, "coder", coder)

    @staticmethod
    def _chip_segments(chip: Chip, width: int, base: Style) -> list[RichSegment]:
        marker = "◇" if chip.other else ("▪" if chip.partial else "■")
        label = chip_text(chip.label, chip.coder if chip.other else "", width - 2)
        style = base + Style(color=chip.color)
        text_style = base + (Style(dim=True, italic=True) if chip.other else Style())
        return [RichSegment(marker + " ", style), RichSegment(label, text_style)]
