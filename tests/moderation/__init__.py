"""Tests for moderation."""
