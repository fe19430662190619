"""Full screens of the workspace: library, coding, codebook, cases, search, help."""
