"""Analysis: matrices, co-occurrence, presence, QCA, agreement, quotes, privacy (pure functions)."""
