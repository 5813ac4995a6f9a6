"""Benchmarks for `make bench`: figures are measured and printed, never asserted in tests."""
