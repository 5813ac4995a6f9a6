"""allauth's emailed tokens, bound to the tenant whose site sent them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings

from townsquare.lib.tenancy import tenant_salt

if TYPE_CHECKING:
    from accounts.models import User


def allauth_setting(name: str, default: Any) -> Any:
    """Every allauth setting is read through here (ALLAUTH_SETTING_GETTER).

    An email-confirmation key signs only the address's row id, and ids repeat across
    schemas: its salt is made per tenant, so a key opens on its own site only.
    """
    value = getattr(settings, name, default)
    return tenant_salt(value) if name == "ACCOUNT_SALT" else value


class TenantPasswordResetTokenGenerator:
    """allauth's email-aware reset tokens, salted per tenant: a copied site (same ids,
    emails and password hashes) still cannot use the other's links."""

    def make_token(self, user: User) -> str:
        return str(self._for_this_tenant().make_token(user))

    def check_token(self, user: User | None, token: str | None) -> bool:
        return bool(self._for_this_tenant().check_token(user, token))

    @staticmethod
    def _for_this_tenant() -> Any:
        # Imported here: allauth's forms module builds its default generator from this
        # class when it is first imported, so importing it at the top would be circular.
        from allauth.account.forms import EmailAwarePasswordResetTokenGenerator

        generator = EmailAwarePasswordResetTokenGenerator()
        generator.key_salt = tenant_salt("allauth.account.password_reset")
        return generator
