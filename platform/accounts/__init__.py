"""People with an account on one site: residents and staff of a tenant, or platform staff."""
