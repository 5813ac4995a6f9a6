"""Tests for resident and staff accounts."""
