"""Tests for follows and notifications."""
