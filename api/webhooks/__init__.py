"""Outgoing webhooks: an organisation's own systems told of what becomes public on its site."""
