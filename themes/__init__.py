"""Per-tenant branding, custom pages and the theme stylesheet (see the themes issue)."""
