"""Tests for the REST API."""
