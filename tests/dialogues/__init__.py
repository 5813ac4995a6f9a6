"""Tests for dialogues and ideas."""
