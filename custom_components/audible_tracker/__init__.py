"""The Audible Tracker integration."""
