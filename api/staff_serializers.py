"""What the staff API shows and accepts: organisations' sites and the demo pipeline, for
platform staff only. Demo requests carry the requester's contact details, which staff need to
reply; nothing here is ever logged."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, extend_schema_field, extend_schema_serializer
from rest_framework import serializers
from rest_framework.reverse import reverse

from accounts.models import User
from api.serializers import StrictInput
from billing.models import BillingAccount
from billing.plans import COMMUNITY, PAID_PLANS, PLAN_CHOICES
from tenants.models import DemoRequest, Signup, Tenant
from tenants.selectors import tenant_base_url

USAGE_EXAMPLE = {
    "residents": 412,
    "ideas": 96,
    "comments": 310,
    "storage_bytes": 48_200_000,
    "counted_at": "2026-11-04T12:00:00Z",
}
TENANT_EXAMPLE = {
    "slug": "sefton-voices",
    "name": "Sefton Voices",
    "status": "active",
    "held_by": "",
    "plan": "community",
    "created_at": "2026-10-01T09:30:00Z",
    "trial_ends_at": None,
    "billing_mode": "manual",
    "primary_domain": "sefton-voices.townsquare.example",
    "site_url": "https://sefton-voices.townsquare.example",
    "usage": USAGE_EXAMPLE,
    "url": "https://townsquare.example/api/staff/v1/tenants/sefton-voices/",
}
PROVISIONING_EXAMPLE = {
    "status": "ready",
    "step": "",
    "attempts": 1,
    "error": "",
    "source": "staff",
    "plan_after_trial": "community",
    "created_at": "2026-10-01T09:29:58Z",
    "finished_at": "2026-10-01T09:30:04Z",
}


class UsageSerializer(serializers.Serializer[Any]):
    residents = serializers.IntegerField()
    ideas = serializers.IntegerField()
    comments = serializers.IntegerField()
    storage_bytes = serializers.IntegerField()
    counted_at = serializers.DateTimeField(help_text="When the worker last counted (hourly).")


class ProvisioningSerializer(serializers.ModelSerializer[Signup]):
    """The sign-up that made (or is making) the site."""

    plan_after_trial = serializers.CharField(source="plan")

    class Meta:
        model = Signup
        fields = [
            "status",
            "step",
            "attempts",
            "error",
            "source",
            "plan_after_trial",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields


@extend_schema_serializer(examples=[OpenApiExample("A site", value=TENANT_EXAMPLE)])
class TenantSerializer(serializers.ModelSerializer[Tenant]):
    """An organisation's site, as the staff console lists it. A site still being made
    (before the worker claims its schema) is shown from its sign-up, with `created_at`,
    `primary_domain`, `site_url` and `usage` null."""

    created_at = serializers.DateTimeField(read_only=True, allow_null=True)
    trial_ends_at = serializers.SerializerMethodField(
        help_text="When the free trial ends, for a site on it; otherwise null."
    )
    billing_mode = serializers.SerializerMethodField(
        help_text="trial, stripe (card) or manual (invoiced by staff); null before billing "
        "first looks at the site."
    )
    primary_domain = serializers.SerializerMethodField()
    site_url = serializers.SerializerMethodField()
    usage = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField(help_text="This site in the staff API: poll it.")

    class Meta:
        model = Tenant
        fields = [
            "slug",
            "name",
            "status",
            "held_by",
            "plan",
            "created_at",
            "trial_ends_at",
            "billing_mode",
            "primary_domain",
            "site_url",
            "usage",
            "url",
        ]
        read_only_fields = fields

    def _account(self, tenant: Tenant) -> BillingAccount | None:
        if tenant.pk is None:
            return None
        return getattr(tenant, "billing", None)

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_trial_ends_at(self, tenant: Tenant) -> str | None:
        account = self._account(tenant)
        if account is None or account.mode != BillingAccount.Mode.TRIAL:
            return None
        return serializers.DateTimeField().to_representation(account.trial_ends_at)

    @extend_schema_field(
        {"type": "string", "nullable": True, "enum": [*BillingAccount.Mode.values, None]}
    )
    def get_billing_mode(self, tenant: Tenant) -> str | None:
        account = self._account(tenant)
        return str(account.mode) if account is not None else None

    @extend_schema_field({"type": "string", "nullable": True})
    def get_primary_domain(self, tenant: Tenant) -> str | None:
        if tenant.pk is None:
            return None
        # From the prefetched domains: no query per row.
        primary = [d for d in tenant.domains.all() if d.is_primary]
        return str(primary[0].domain) if primary else None

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_site_url(self, tenant: Tenant) -> str | None:
        if self.get_primary_domain(tenant) is None:
            return None
        return tenant_base_url(tenant=tenant)

    @extend_schema_field(UsageSerializer(allow_null=True))
    def get_usage(self, tenant: Tenant) -> dict[str, Any] | None:
        usage = getattr(tenant, "usage", None) if tenant.pk is not None else None
        return dict(UsageSerializer(usage).data) if usage is not None else None

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, tenant: Tenant) -> str:
        request = self.context.get("request")
        return reverse("staff_api:tenant", kwargs={"slug": tenant.slug}, request=request)


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "A site and how it was made",
            value={**TENANT_EXAMPLE, "provisioning": PROVISIONING_EXAMPLE},
        )
    ]
)
class TenantDetailSerializer(TenantSerializer):
    provisioning = serializers.SerializerMethodField(
        help_text="The latest sign-up for this address: its progress while the site is made, "
        "its error if that failed; null for sites made before sign-ups were recorded."
    )

    class Meta(TenantSerializer.Meta):
        fields = [*TenantSerializer.Meta.fields, "provisioning"]
        read_only_fields = fields

    @extend_schema_field(ProvisioningSerializer(allow_null=True))
    def get_provisioning(self, tenant: Tenant) -> dict[str, Any] | None:
        signup: Signup | None = self.context.get("signup")
        return dict(ProvisioningSerializer(signup).data) if signup is not None else None


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "A new site",
            value={
                "name": "Sefton Voices",
                "slug": "sefton-voices",
                "admin_email": "lead@sefton.example.org",
                "plan": "community",
                "submission_key": "0b6f3c4e-2f7a-4f0e-9b61-3a2d1c5e7f80",
            },
            request_only=True,
        )
    ]
)
class TenantCreateSerializer(StrictInput):
    name = serializers.CharField(
        max_length=200, trim_whitespace=True, help_text="The organisation's name."
    )
    slug = serializers.CharField(
        max_length=63,
        help_text="The subdomain: 1–63 lowercase letters, digits or inner hyphens, not "
        "reserved and not taken.",
    )
    admin_email = serializers.EmailField(
        max_length=254, help_text="The site's first admin, invited by email."
    )
    plan = serializers.ChoiceField(
        choices=[(p.key, p.name) for p in PAID_PLANS],
        default=COMMUNITY.key,
        help_text="The plan after the 30-day free trial every site starts on.",
    )
    submission_key = serializers.UUIDField(
        required=False,
        help_text="Send the same key again (after a timeout, say) and the first request's "
        "site is returned instead of a second sign-up.",
    )


@extend_schema_serializer(
    examples=[OpenApiExample("Invoiced on Partnership", value={"plan": "partnership"})]
)
class PlanSetSerializer(StrictInput):
    plan = serializers.ChoiceField(choices=PLAN_CHOICES)


class OwnerField(serializers.SlugRelatedField[User]):
    """A platform staff account, by username."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            slug_field="username",
            queryset=User.objects.filter(is_staff=True, is_active=True),
            allow_null=True,
            **kwargs,
        )


DEMO_EXAMPLE = {
    "id": 31,
    "organisation": "Wirral Youth Partnership",
    "name": "Susan Jones",
    "role": "Participation lead",
    "email": "susan@wirral.example.org",
    "phone": "0151 496 0000",
    "message": "We'd like to see moderation in action.",
    "consent": True,
    "stage": "contacted",
    "owner": "priya",
    "notes": "Call back on Tuesday.",
    "open": True,
    "trial": None,
    "created_at": "2026-11-02T10:00:00Z",
    "closed_at": None,
    "purged_at": None,
}


@extend_schema_field(
    {
        "type": "object",
        "nullable": True,
        "description": "The trial site made from this request, if any: its address and how "
        "its sign-up stands.",
        "properties": {"slug": {"type": "string"}, "status": {"type": "string"}},
        "required": ["slug", "status"],
    }
)
class TrialField(serializers.Field):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(read_only=True, source="*", **kwargs)

    def to_representation(self, demo: DemoRequest) -> dict[str, str] | None:
        # From the prefetched sign-ups, newest first.
        signups = sorted(demo.signups.all(), key=lambda s: s.created_at, reverse=True)
        if not signups:
            return None
        return {"slug": signups[0].slug, "status": str(signups[0].status)}


@extend_schema_serializer(examples=[OpenApiExample("A demo request", value=DEMO_EXAMPLE)])
class DemoRequestSerializer(serializers.ModelSerializer[DemoRequest]):
    """A request for a demo, with the requester's contact details (removed, and
    `purged_at` set, some days after it is closed)."""

    owner: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    open = serializers.SerializerMethodField(help_text="Not yet won or lost.")
    trial = TrialField()

    class Meta:
        model = DemoRequest
        fields = [
            "id",
            "organisation",
            "name",
            "role",
            "email",
            "phone",
            "message",
            "consent",
            "stage",
            "owner",
            "notes",
            "open",
            "trial",
            "created_at",
            "closed_at",
            "purged_at",
        ]
        read_only_fields = fields

    def get_open(self, demo: DemoRequest) -> bool:
        return demo.closed_at is None


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Demo booked, with an owner",
            value={"stage": "demo_booked", "owner": "priya", "notes": "Thursday 2pm."},
            request_only=True,
        ),
        OpenApiExample("Lost (closes it)", value={"stage": "lost"}, request_only=True),
    ]
)
class DemoRequestUpdateSerializer(StrictInput):
    stage = serializers.ChoiceField(choices=DemoRequest.Stage.choices, required=False)
    owner = OwnerField(required=False)
    notes = serializers.CharField(
        max_length=5000, required=False, allow_blank=True, trim_whitespace=True
    )


@extend_schema_serializer(
    examples=[OpenApiExample("A trial site", value={"slug": "wirral-youth"}, request_only=True)]
)
class TrialCreateSerializer(StrictInput):
    slug = serializers.CharField(max_length=63, help_text="The trial site's subdomain.")
