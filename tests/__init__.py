"""Tests for audible_tracker."""
