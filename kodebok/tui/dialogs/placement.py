"""Dialogs open where the eye is: beside the line the researcher was looking at, not over it.

The eye is on the focused widget's cursor in the screen below: the current segment of the
transcript, the cursor row of a table, the highlighted line of a list. A dialog that fits
below that line opens right under it, else right above it (where there is more room; its list
gets shorter when needed), else in the middle as before.
"""

from __future__ import annotations

from typing import TypeVar

from textual import events, on
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import DataTable, OptionList

ResultT = TypeVar("ResultT")
MIN_LIST = 5  # lines of a list (with its border) that a dialog keeps when it is made shorter


def eye_rows(screen: Screen[object]) -> tuple[int, int] | None:
    """Screen rows ``(top, bottom)`` (bottom exclusive) of what the researcher looks at."""
    widget = screen.focused
    if widget is None:
        return None
    region = widget.content_region
    scroll_y = round(widget.scroll_offset.y)
    offsets = getattr(widget, "_offsets", None)  # the transcript: lines where segments start
    current = getattr(widget, "current", None)
    if isinstance(offsets, list) and isinstance(current, int) and current + 1 < len(offsets):
        top, bottom = offsets[current] - scroll_y, offsets[current + 1] - scroll_y
    elif isinstance(widget, DataTable) and widget.row_count:
        header = widget.header_height if widget.show_header else 0
        top = header + widget.cursor_row - scroll_y
        bottom = top + 1
    elif isinstance(widget, OptionList) and widget.highlighted is not None:
        top = widget.highlighted - scroll_y
        bottom = top + 1
    else:
        return (widget.region.y, widget.region.bottom) if widget.region.height else None
    top = max(0, min(region.height, top))
    bottom = max(top, min(region.height, bottom))
    return region.y + top, region.y + bottom


def _screen_below(dialog: Widget) -> Screen[object] | None:
    stack = dialog.app.screen_stack
    return stack[-2] if len(stack) > 1 and stack[-1] is dialog else None


class EyeDialog(ModalScreen[ResultT]):
    """A modal dialog (its box has the class ``dialog``) placed beside the researcher's eye."""

    @on(events.Mount)
    def _place_after_layout(self) -> None:
        self.call_after_refresh(self.place_near_eye)

    def place_near_eye(self) -> None:
        """Move the dialog box under (or over) the line the eye is on, when it fits there."""
        below = _screen_below(self)
        boxes = self.query(".dialog")
        if below is None or not boxes:
            return
        eye = eye_rows(below)
        if eye is None:
            return
        box = boxes.first()
        # the box's natural height: its content (which max-height may be clipping) and frame
        needed = box.virtual_size.height + box.outer_size.height - box.content_region.height
        height = self.size.height
        top, bottom = eye
        room_under, room_over = height - 1 - bottom, top  # the footer keeps its row
        under = room_under >= room_over
        room = room_under if under else room_over
        if needed > room:
            # a list in the dialog (codes, choices, quotes) may get shorter, down to 3 lines
            lists = box.query(OptionList)
            shorter = lists.first().outer_size.height - (needed - room) if lists else 0
            if shorter < MIN_LIST:
                return  # no room on either side: the middle, as before
            lists.first().styles.max_height = shorter
        box.styles.max_height = room  # (a share of the height would shrink with the margin)
        if under:
            self.styles.align_vertical = "top"
            box.styles.margin = (bottom, 0, 0, 0)
        else:
            self.styles.align_vertical = "bottom"
            box.styles.margin = (0, 0, height - top, 0)
