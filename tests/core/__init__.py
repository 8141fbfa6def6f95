"""Tests for the Home Assistant-free core."""
