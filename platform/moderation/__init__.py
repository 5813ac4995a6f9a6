"""Keeping conversations safe: holds before publication, the moderation queue, the audit log."""
