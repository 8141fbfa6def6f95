"""Core of audible_tracker: API clients, matching and sync, free of Home Assistant."""
