"""``kodebok bench``: a seeded synthetic corpus and timed stages for the whole path."""
