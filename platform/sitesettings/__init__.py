"""Per-tenant settings that the organisation's admins control."""
