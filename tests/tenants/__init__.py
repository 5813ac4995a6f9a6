"""Tests for organisations and the central site."""
