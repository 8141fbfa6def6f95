"""A real Home Assistant process wired to the fakes (launcher and smoke test)."""
