"""Organisations (tenants), their domains, and the central site that manages them."""
