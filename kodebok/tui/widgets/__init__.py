"""Widgets shared by the screens: transcript view, code tree, status line."""
