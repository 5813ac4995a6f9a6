"""The staff API at /api/staff/v1/ on the root domain: organisations' sites (list, create
through provisioning, suspend, reactivate, plan) and the demo pipeline, for platform staff's
personal access tokens only. Every write goes through the services the staff console's
actions use, with their rules and their history entries."""

from __future__ import annotations

import uuid
from typing import Any

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils.cache import patch_vary_headers
from django_tenants.utils import get_public_schema_name
from drf_spectacular.renderers import OpenApiJsonRenderer, OpenApiJsonRenderer2
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from accounts.models import User
from api import staff_serializers as s
from api.authentication import PersonalAccessTokenAuthentication
from api.pagination import KeysetPagination, Ordering, SortKey
from api.permissions import TokenScope
from billing.plans import PAID_PLANS, PLAN_CHOICES, TRIAL
from tenants.models import DemoRequest, Signup, Tenant
from tenants.selectors import demo_requests_listed, site_lookup, tenants_listed
from tenants.services import (
    demo_request_trial_start,
    demo_request_update,
    staff_site_request,
    tenant_plan_set,
    tenant_reactivate,
    tenant_suspend,
)

NEWEST = Ordering("newest", (SortKey("created_at", "datetime"), SortKey("id", "int")))
MAX_SEARCH = 100


def _on_central_site() -> bool:
    return bool(connection.schema_name == get_public_schema_name())  # type: ignore[attr-defined]


class IsPlatformStaff(BasePermission):
    """Active platform staff with a second factor, as the console insists, on the central
    site only (elsewhere these addresses do not exist)."""

    message = "Only platform staff may use the staff API."

    def has_permission(self, request: Request, view: Any) -> bool:
        if not _on_central_site():
            raise NotFound("There is nothing at this address.")
        user = request.user
        return bool(
            isinstance(user, User) and user.is_active and user.is_staff and is_mfa_enabled(user)
        )


class ConsoleRights(BasePermission):
    """The console's own rights on the view's model: reading needs view (or change) rights,
    anything else change rights, as the console's actions do."""

    message = "Your staff account may not do this: it needs change rights in the staff console."

    def has_permission(self, request: Request, view: Any) -> bool:
        model: str = getattr(view, "console_model", "tenant")
        if request.user.has_perm(f"tenants.change_{model}"):
            return True
        return request.method in SAFE_METHODS and request.user.has_perm(f"tenants.view_{model}")


class StaffApiView(APIView):
    """A view of the staff API: a platform staff token, never a session or anyone else's."""

    authentication_classes = [PersonalAccessTokenAuthentication]
    permission_classes = [IsPlatformStaff, TokenScope, ConsoleRights]
    console_model = "tenant"

    def finalize_response(
        self, request: Request, response: Any, *args: Any, **kwargs: Any
    ) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        patch_vary_headers(response, ["Authorization"])
        # Contact details and tenants' state: kept by no cache on the way.
        response["Cache-Control"] = "no-store"
        return response

    def staff(self) -> User:
        user = self.request.user
        if not isinstance(user, User):
            raise TypeError("A signed-in user is needed here.")
        return user

    def paginate(self, queryset: QuerySet[Any], serializer: Any) -> Response:
        paginator = KeysetPagination()
        page = paginator.paginate_ordered(queryset, self.request, NEWEST)
        data = serializer(page, many=True, context={"request": self.request}).data
        return paginator.get_paginated_response(data)


def _site(slug: str) -> tuple[Tenant, Signup | None]:
    """The site at this address and its latest sign-up; a site still waiting for the worker
    to claim its schema is shown from its sign-up (an unsaved Tenant)."""
    found = site_lookup(slug=slug)
    if found.tenant is not None:
        return found.tenant, found.signup
    if found.signup is not None:
        shown = Tenant(
            name=found.signup.organisation,
            slug=found.signup.slug,
            status=Tenant.Status.PROVISIONING,
            plan=TRIAL.key,
        )
        shown.created_at = None  # type: ignore[assignment]
        return shown, found.signup
    if found.failed is not None:
        raise NotFound(
            f"Setting up {slug} failed and everything made for it was removed: "
            f"{found.failed.error}",
            code="provisioning_failed",
        )
    raise NotFound("There is no such site.")


def _tenant(slug: str) -> Tenant:
    """A site that exists, for the lifecycle actions."""
    tenant, _ = _site(slug)
    if tenant.pk is None:
        raise ValidationError({"non_field_errors": ["This site is still being set up."]})
    return tenant


def _shown(request: Request, slug: str, *, status_code: int = 200) -> Response:
    tenant, signup = _site(slug)
    data = s.TenantDetailSerializer(tenant, context={"request": request, "signup": signup}).data
    response = Response(data, status=status_code)
    if status_code == status.HTTP_202_ACCEPTED:
        response["Location"] = data["url"]
    return response


class StaffRoot(StaffApiView):
    """The staff API's entry point: where each collection is."""

    @extend_schema(
        responses={200: OpenApiTypes.OBJECT},
        description="Links to the staff API's collections and its OpenAPI description.",
        operation_id="staff_root",
    )
    def get(self, request: Request) -> Response:
        return Response(
            {
                "tenants": reverse("staff_api:tenants", request=request),
                "demo_requests": reverse("staff_api:demo-requests", request=request),
                "schema": reverse("staff-api-schema", request=request),
            }
        )


_ACCEPTED = OpenApiResponse(
    s.TenantDetailSerializer,
    description="Queued: the worker makes the site. Poll the `url` (also in `Location`) "
    "until `status` is `active`; `provisioning` says how it goes.",
)


class TenantList(StaffApiView):
    """Organisations' sites, newest first; and asking for a new one."""

    pagination_class = KeysetPagination

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "status", str, enum=Tenant.Status.values, description="Only sites in this state."
            ),
            OpenApiParameter(
                "plan", str, enum=[k for k, _ in PLAN_CHOICES], description="Only this plan's."
            ),
            OpenApiParameter("q", str, description="Search the address (slug) and name."),
        ],
        responses=s.TenantSerializer(many=True),
        description="Every organisation's site, newest first, with its status, plan, trial, "
        "address and usage (counted hourly by the worker).",
    )
    def get(self, request: Request) -> Response:
        tenants = tenants_listed()
        wanted = request.query_params.get("status")
        if wanted is not None:
            if wanted not in Tenant.Status.values:
                raise ValidationError(
                    {"status": [f"Choose one of: {', '.join(Tenant.Status.values)}."]}
                )
            tenants = tenants.filter(status=wanted)
        plan = request.query_params.get("plan")
        if plan is not None:
            keys = [key for key, _ in PLAN_CHOICES]
            if plan not in keys:
                raise ValidationError({"plan": [f"Choose one of: {', '.join(keys)}."]})
            tenants = tenants.filter(plan=plan)
        query = request.query_params.get("q", "").strip()
        if len(query) > MAX_SEARCH:
            raise ValidationError({"q": [f"Search for at most {MAX_SEARCH} characters."]})
        if query:
            tenants = tenants.filter(Q(slug__icontains=query) | Q(name__icontains=query))
        return self.paginate(tenants, s.TenantSerializer)

    @extend_schema(
        request=s.TenantCreateSerializer,
        responses={202: _ACCEPTED},
        description="Asks for a new site, as a trial from a demo request does: the address is "
        "held at once and the worker makes the site (on the free trial, its admin invited by "
        "email). Refused with the reason for an address that is malformed, reserved or taken.",
    )
    def post(self, request: Request) -> Response:
        form = s.TenantCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        signup = staff_site_request(
            organisation=data["name"],
            slug=data["slug"],
            admin_email=data["admin_email"],
            plan=data["plan"],
            key=str(data.get("submission_key") or uuid.uuid4()),
            by=self.staff(),
        )
        return _shown(request, signup.slug, status_code=status.HTTP_202_ACCEPTED)


class TenantDetail(StaffApiView):
    """One site, and the sign-up that made it."""

    @extend_schema(
        responses=s.TenantDetailSerializer,
        description="A site by its address (slug). While the worker makes it, `status` is "
        "`provisioning` and `provisioning` gives its step; a site whose making failed answers "
        "404 with the error (`provisioning_failed`).",
    )
    def get(self, request: Request, slug: str) -> Response:
        return _shown(request, slug)


class TenantSuspend(StaffApiView):
    @extend_schema(
        request=None,
        responses=s.TenantDetailSerializer,
        description="Suspends the site: residents and its staff get the holding page (503); "
        "its data is kept. It stays suspended until staff reactivate it, whatever billing "
        "says.",
    )
    def post(self, request: Request, slug: str) -> Response:
        tenant_suspend(tenant=_tenant(slug), by=self.staff())
        return _shown(request, slug)


class TenantReactivate(StaffApiView):
    @extend_schema(
        request=None,
        responses=s.TenantDetailSerializer,
        description="Lifts a suspension. Billing's own verdict then applies again: a site "
        "whose trial or payment has lapsed goes back to read-only or suspended for that.",
    )
    def post(self, request: Request, slug: str) -> Response:
        tenant_reactivate(tenant=_tenant(slug), by=self.staff())
        return _shown(request, slug)


class TenantPlan(StaffApiView):
    @extend_schema(
        request=s.PlanSetSerializer,
        responses=s.TenantDetailSerializer,
        description="Puts the site on a plan by hand (invoiced, no trial clock), as the "
        "console does. Refused with the reasons for a site paying by card (its admin changes "
        "plan in /manage/billing/) or one that uses more than the plan allows.",
    )
    def post(self, request: Request, slug: str) -> Response:
        form = s.PlanSetSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        tenant_plan_set(tenant=_tenant(slug), plan=form.validated_data["plan"], by=self.staff())
        return _shown(request, slug)


def _demo_request(demo_id: int) -> DemoRequest:
    demo = demo_requests_listed().filter(pk=demo_id).first()
    if demo is None:
        raise NotFound("There is no such demo request.")
    return demo


class DemoRequestList(StaffApiView):
    """The demo pipeline, newest first."""

    console_model = "demorequest"
    pagination_class = KeysetPagination

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "state",
                str,
                enum=["open", "closed"],
                description="open: not yet won or lost; closed: won or lost.",
            ),
            OpenApiParameter(
                "stage", str, enum=DemoRequest.Stage.values, description="Only this stage's."
            ),
        ],
        responses=s.DemoRequestSerializer(many=True),
        description="Demo requests with the requester's contact details, newest first.",
    )
    def get(self, request: Request) -> Response:
        demos = demo_requests_listed()
        state = request.query_params.get("state")
        if state is not None:
            if state not in {"open", "closed"}:
                raise ValidationError({"state": ["Choose open or closed."]})
            demos = demos.filter(closed_at__isnull=state == "open")
        stage = request.query_params.get("stage")
        if stage is not None:
            if stage not in DemoRequest.Stage.values:
                raise ValidationError(
                    {"stage": [f"Choose one of: {', '.join(DemoRequest.Stage.values)}."]}
                )
            demos = demos.filter(stage=stage)
        return self.paginate(demos, s.DemoRequestSerializer)


class DemoRequestDetail(StaffApiView):
    """One demo request; moving it along the pipeline."""

    console_model = "demorequest"

    @extend_schema(
        responses=s.DemoRequestSerializer,
        description="A demo request with the requester's contact details.",
    )
    def get(self, request: Request, demo_id: int) -> Response:
        return Response(s.DemoRequestSerializer(_demo_request(demo_id)).data)

    @extend_schema(
        request=s.DemoRequestUpdateSerializer,
        responses=s.DemoRequestSerializer,
        description="Changes the stage (won and lost close the request; its contact details "
        "are removed some days later), the owner (a platform staff username, or null) or the "
        "notes. Fields left out are kept.",
    )
    def patch(self, request: Request, demo_id: int) -> Response:
        demo = _demo_request(demo_id)
        form = s.DemoRequestUpdateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        demo_request_update(demo=demo, by=self.staff(), **form.validated_data)
        return Response(s.DemoRequestSerializer(_demo_request(demo_id)).data)


class DemoRequestTrial(StaffApiView):
    console_model = "demorequest"

    @extend_schema(
        request=s.TrialCreateSerializer,
        responses={202: _ACCEPTED},
        description="The console's \"Create a trial site\": a site for the requester's "
        "organisation, its admin (the requester) invited by email; the request moves to "
        "`trial`. Asking again with the same address returns the same site.",
    )
    def post(self, request: Request, demo_id: int) -> Response:
        demo = _demo_request(demo_id)
        form = s.TrialCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        signup = demo_request_trial_start(
            demo=demo, slug=form.validated_data["slug"], by=self.staff()
        )
        return _shown(request, signup.slug, status_code=status.HTTP_202_ACCEPTED)


_SPECTACULAR: dict[str, Any] = settings.SPECTACULAR_SETTINGS
# The tenant API's enum names, which the shared serializers still use.
_TENANT_API_ENUMS: dict[str, Any] = dict(_SPECTACULAR["ENUM_NAME_OVERRIDES"])


class StaffSchemaView(SpectacularAPIView):
    """The staff API's OpenAPI description, its own operations only (the URLconf passes
    them as `patterns`), for platform staff tokens."""

    authentication_classes = [PersonalAccessTokenAuthentication]
    permission_classes = [IsPlatformStaff]
    # JSON only, so a refusal is problem details in JSON too, never YAML.
    renderer_classes = [OpenApiJsonRenderer2, OpenApiJsonRenderer]
    custom_settings = {
        "TITLE": "Townsquare staff API",
        "DESCRIPTION": (
            "Platform staff's API on the central site (the root domain only), under "
            "/api/staff/v1/: organisations' sites (list, create through provisioning, "
            "suspend, reactivate, plan) and demo requests. Authenticate with a personal "
            "access token made at /accounts/api-tokens/ on the root domain by staff with a "
            "second factor (`Authorization: Bearer tsq_…`); read-only tokens cannot change "
            "anything. Lists are paged by cursor; every error is RFC 9457 problem details."
        ),
        "VERSION": "1",
        "ENUM_NAME_OVERRIDES": {
            **_TENANT_API_ENUMS,
            "TenantStatusEnum": "tenants.models.Tenant.Status",
            "PlanEnum": "billing.plans.PLAN_CHOICES",
            "PaidPlanEnum": [(plan.key, plan.name) for plan in PAID_PLANS],
            "SignupStatusEnum": "tenants.models.Signup.Status",
            "DemoStageEnum": "tenants.models.DemoRequest.Stage",
        },
    }
