"""Plans, Stripe checkout and webhooks, and the entitlements each plan grants."""
