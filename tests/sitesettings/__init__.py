"""Tests for site settings, quick exit and signposting."""
