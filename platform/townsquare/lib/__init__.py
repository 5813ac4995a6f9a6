"""Small, focused helpers shared across apps, one topic per module."""
