"""Fakes of the remote services, for tests."""
