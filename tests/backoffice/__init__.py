"""Tests for the tenant admin area."""
