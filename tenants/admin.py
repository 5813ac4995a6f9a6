"""Platform staff's view of organisations: tenants and their lifecycle, sign-ups, demo requests."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.text import slugify

from billing import stripe_gateway as billing_gateway
from billing.entitlements import Feature, PlanLimitError, entitlement_check
from billing.models import BillingAccount
from billing.plans import plan_get
from billing.selectors import accounts_needing_attention
from billing.services import (
    access_apply,
    account_for,
    account_set_manual,
    plan_change_problems,
    trial_extend,
)
from moderation.alerts import AlertHealth, alert_health_by_schema
from tenants.models import DemoRequest, Domain, Signup, Tenant, TenantExport
from tenants.selectors import tenant_base_url
from tenants.services import (
    demo_request_trial_create,
    domain_add,
    domain_host,
    signup_queue,
    tenant_delete,
    tenant_export_request,
    tenant_status_set,
    tenant_usage_count,
)


class DomainForm(forms.ModelForm):  # type: ignore[type-arg,unused-ignore]
    class Meta:
        model = Domain
        fields = ["domain", "is_primary"]

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        # A new or changed host other than the primary: an organisation's own domain, in the
        # form hosts are matched in (the primary <slug>.<root> address is made by sign-up).
        if (
            "domain" in self.changed_data
            and cleaned.get("domain")
            and not cleaned.get("is_primary")
        ):
            try:
                cleaned["domain"] = domain_host(cleaned["domain"])
            except ValidationError as error:
                self.add_error("domain", error)
        return cleaned


class DomainFormSet(BaseInlineFormSet):  # type: ignore[type-arg,unused-ignore]
    def clean(self) -> None:
        super().clean()
        tenant: Tenant = self.instance
        adding = [
            form
            for form in self.forms
            if form.instance.pk is None
            and form.has_changed()
            and not form.cleaned_data.get("DELETE")
            and not form.cleaned_data.get("is_primary")
        ]
        if not adding:
            return
        try:
            entitlement_check(Feature.CUSTOM_DOMAIN, plan=plan_get(tenant.plan))
        except PlanLimitError as refusal:
            # The console is on the central site: the upgrade page is on the tenant's own.
            upgrade = tenant_base_url(tenant=tenant) + reverse(
                "billing:overview", urlconf=settings.ROOT_URLCONF
            )
            raise ValidationError(
                format_html(
                    '{} The site\'s admins can upgrade at <a href="{}">{}</a>.',
                    refusal.message,
                    upgrade,
                    upgrade,
                ),
                code="plan_limit",
            ) from None


class DomainInline(admin.TabularInline):
    model = Domain
    form = DomainForm
    formset = DomainFormSet
    extra = 0
    # An added domain answers once its organisation adds the DNS record shown on the site's
    # Addresses page (/manage/domains/), as one the organisation adds itself does.
    readonly_fields = ("verified_at", "check_result")


class ExportInline(admin.TabularInline):
    model = TenantExport
    extra = 0
    can_delete = False
    fields = ("created_at", "status", "size", "download", "error")
    readonly_fields = ("created_at", "status", "size", "download", "error")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="Archive")
    def download(self, export: TenantExport) -> str:
        if export.status != TenantExport.Status.READY:
            return "–"
        url = reverse("admin:tenants_tenantexport_download", args=[export.pk])
        return format_html('<a href="{}">Download</a>', url)


# Sites whose schema is fully migrated and in use; others have no alerts to look at.
_IN_USE = [Tenant.Status.ACTIVE, Tenant.Status.READ_ONLY, Tenant.Status.SUSPENDED]


class SafeguardingAlertFilter(admin.SimpleListFilter):
    """Sites whose safeguarding alerts fail, or where no lead can be reached (read live from
    each site's schema)."""

    title = "safeguarding alerts"
    parameter_name = "safeguarding"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("failing", "Alerts failing"), ("no_lead", "No reachable lead")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Tenant]) -> QuerySet[Tenant]:
        if self.value() not in {"failing", "no_lead"}:
            return queryset
        schemas = queryset.filter(status__in=_IN_USE).values_list("schema_name", flat=True)
        health = alert_health_by_schema(schemas=schemas)
        wanted = [
            schema
            for schema, state in health.items()
            if (state.failing if self.value() == "failing" else not state.lead_reachable)
        ]
        return queryset.filter(schema_name__in=wanted)


class DeleteSiteForm(forms.Form):
    confirm_slug = forms.CharField(label="Type the site's name to confirm", max_length=63)


class BillingFilter(admin.SimpleListFilter):
    title = "billing"
    parameter_name = "billing"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            ("trial_ending", "Trial ends within 7 days"),
            ("overdue", "Payment overdue"),
            ("read_only", "Read-only (unpaid)"),
            ("suspended", "Suspended (unpaid)"),
            ("paying", "Paying by card"),
            ("manual", "Invoiced by staff"),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Tenant]) -> QuerySet[Tenant]:
        now = timezone.now()
        choice = self.value()
        if choice == "trial_ending":
            return queryset.filter(
                billing__mode=BillingAccount.Mode.TRIAL,
                billing__trial_ends_at__gt=now,
                billing__trial_ends_at__lte=now + timedelta(days=7),
            )
        if choice == "overdue":
            return queryset.filter(billing__subscription_status__in=["past_due", "unpaid"])
        if choice == "read_only":
            return queryset.filter(status=Tenant.Status.READ_ONLY)
        if choice == "suspended":
            return queryset.filter(status=Tenant.Status.SUSPENDED, held_by=Tenant.Hold.BILLING)
        if choice == "paying":
            return queryset.filter(
                billing__mode=BillingAccount.Mode.STRIPE,
                billing__subscription_status__in=["active", "trialing"],
            )
        if choice == "manual":
            return queryset.filter(billing__mode=BillingAccount.Mode.MANUAL)
        return queryset


class TenantForm(forms.ModelForm):
    """The plan is set through billing: by hand only for sites not paying by card, and
    never below what the site uses."""

    class Meta:
        model = Tenant
        fields = ["name", "plan"]

    def clean_plan(self) -> str:
        plan: str = self.cleaned_data["plan"]
        tenant = self.instance
        if tenant.pk is None or plan == tenant.plan:
            return plan
        account = account_for(tenant=tenant)
        if account.mode == BillingAccount.Mode.STRIPE and account.paid_up:
            raise forms.ValidationError(
                "This site pays by card through Stripe: its admin changes the plan in "
                "/manage/billing/."
            )
        problems = plan_change_problems(tenant=tenant, plan=plan_get(plan))
        if problems:
            raise forms.ValidationError(problems)
        return plan


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    form = TenantForm
    list_display = [
        "name", "slug", "status", "plan", "billing_state", "residents", "ideas", "storage",
        "safeguarding", "created_at",
    ]  # fmt: skip
    list_filter = ["status", "plan", BillingFilter, SafeguardingAlertFilter]
    list_select_related = ["usage", "billing"]
    search_fields = ["name", "slug"]
    readonly_fields = ["slug", "schema_name", "status", "created_at", "site", "lifecycle"]
    fields = ["name", "slug", "plan", "status", "site", "lifecycle", "schema_name", "created_at"]
    inlines = [DomainInline, ExportInline]
    actions = ["suspend", "reactivate", "extend_trial", "export", "count_usage"]

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        extra = {
            **(extra_context or {}),
            "billing_online": billing_gateway.enabled(),
            "billing_counts": accounts_needing_attention(),
        }
        return super().changelist_view(request, extra_context=extra)

    def save_model(self, request: HttpRequest, obj: Tenant, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and "plan" in form.changed_data:
            # Staff set the plan by hand: invoiced outside Stripe, no trial clock.
            account_set_manual(tenant=obj, plan=obj.plan)

    @admin.display(description="Billing")
    def billing_state(self, tenant: Tenant) -> str:
        account: BillingAccount | None = getattr(tenant, "billing", None)
        if account is None:
            return "–"
        now = timezone.now()
        if tenant.status == Tenant.Status.READ_ONLY:
            return "Read-only (unpaid)"
        if tenant.status == Tenant.Status.SUSPENDED and tenant.held_by == Tenant.Hold.BILLING:
            return "Suspended (unpaid)"
        if account.overdue and account.due_since is not None:
            return f"Overdue since {date_format(account.due_since, 'j M')}"
        if account.mode == BillingAccount.Mode.TRIAL:
            days = account.trial_days_left(now)
            return f"Trial: {days} day{'s' if days != 1 else ''} left" if days else "Trial ended"
        if account.mode == BillingAccount.Mode.MANUAL:
            return "Invoiced"
        return f"Card ({account.subscription_status or 'unknown'})"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Tenant]:
        return super().get_queryset(request).exclude(schema_name="public")

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Sites are made by sign-up or from a demo request, through provisioning.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Deleting goes through "Delete site", which insists on an export and the slug.
        return False

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is not Domain:
            super().save_formset(request, form, formset, change)
            return
        # An added domain other than the primary goes through the service, which checks
        # the plan (again) and the host.
        for domain in formset.save(commit=False):
            if domain.pk is None and not domain.is_primary:
                domain_add(tenant=form.instance, domain=domain.domain)
            else:
                domain.save()
        for domain in formset.deleted_objects:
            domain.delete()

    def get_changelist_instance(self, request: HttpRequest) -> Any:
        changelist = super().get_changelist_instance(request)
        # One query for the page's sites rather than one per row.
        page = list(changelist.result_list)
        health = alert_health_by_schema(
            schemas=[tenant.schema_name for tenant in page if tenant.status in _IN_USE]
        )
        for tenant in page:
            tenant.alert_health = health.get(tenant.schema_name)
        return changelist

    @admin.display(description="Safeguarding alerts")
    def safeguarding(self, tenant: Tenant) -> str:
        health: AlertHealth | None = getattr(tenant, "alert_health", None)
        if health is None:
            return "–"
        if health.ok:
            return "OK"
        problems = [
            *(["Alerts failing"] if health.failing else []),
            *([] if health.lead_reachable else ["No reachable lead"]),
        ]
        return format_html("<strong>⚠ {}</strong>", "; ".join(problems))

    def _usage(self, tenant: Tenant, field: str) -> Any:
        usage = getattr(tenant, "usage", None)
        return getattr(usage, field) if usage is not None else "–"

    @admin.display(description="Residents")
    def residents(self, tenant: Tenant) -> Any:
        return self._usage(tenant, "residents")

    @admin.display(description="Ideas")
    def ideas(self, tenant: Tenant) -> Any:
        return self._usage(tenant, "ideas")

    @admin.display(description="Storage")
    def storage(self, tenant: Tenant) -> str:
        usage = getattr(tenant, "usage", None)
        return f"{usage.storage_bytes / 1_000_000:.1f} MB" if usage is not None else "–"

    @admin.display(description="Site")
    def site(self, tenant: Tenant) -> str:
        url = tenant_base_url(tenant=tenant)
        return format_html('<a href="{}/">{}</a>', url, url)

    @admin.display(description="Lifecycle")
    def lifecycle(self, tenant: Tenant) -> str:
        if tenant.pk is None:
            return "–"
        url = reverse("admin:tenants_tenant_delete_site", args=[tenant.pk])
        return format_html(
            'Suspend, reactivate or export from the list\'s actions. <a href="{}">Delete site…</a>',
            url,
        )

    def _each(
        self, request: HttpRequest, queryset: QuerySet[Tenant], verb: str, status: str
    ) -> None:
        for tenant in queryset:
            try:
                tenant_status_set(tenant=tenant, status=status)
            except ValidationError as error:
                self.message_user(request, f"{tenant}: {error.messages[0]}", messages.ERROR)
            else:
                self.log_change(request, tenant, f"{verb} the site")
                self.message_user(request, f"{tenant}: {verb.lower()}.")

    @admin.action(
        description="Suspend: residents see a holding page; data is kept", permissions=["change"]
    )
    def suspend(self, request: HttpRequest, queryset: QuerySet[Tenant]) -> None:
        self._each(request, queryset, "Suspended", Tenant.Status.SUSPENDED)

    @admin.action(description="Reactivate", permissions=["change"])
    def reactivate(self, request: HttpRequest, queryset: QuerySet[Tenant]) -> None:
        self._each(request, queryset, "Reactivated", Tenant.Status.ACTIVE)
        # Lifting a staff hold leaves billing's own verdict (read-only if unpaid) in place.
        for tenant in queryset:
            access_apply(account=account_for(tenant=tenant), now=timezone.now())

    @admin.action(description="Extend the free trial by 14 days", permissions=["change"])
    def extend_trial(self, request: HttpRequest, queryset: QuerySet[Tenant]) -> None:
        for tenant in queryset:
            try:
                trial_extend(tenant=tenant, days=14)
            except ValidationError as error:
                self.message_user(request, f"{tenant}: {error.messages[0]}", messages.ERROR)
            else:
                self.log_change(request, tenant, "Extended the trial by 14 days")
                self.message_user(request, f"{tenant}: trial extended by 14 days.")

    @admin.action(
        description="Export: an archive of the schema and media, built by the worker",
        permissions=["change"],
    )
    def export(self, request: HttpRequest, queryset: QuerySet[Tenant]) -> None:
        for tenant in queryset:
            tenant_export_request(tenant=tenant, by=request.user)  # type: ignore[arg-type]
            self.log_change(request, tenant, "Requested an export")
        self.message_user(request, "Exports requested; they appear on each site's page.")

    @admin.action(description="Count usage now", permissions=["change"])
    def count_usage(self, request: HttpRequest, queryset: QuerySet[Tenant]) -> None:
        for tenant in queryset:
            tenant_usage_count(tenant=tenant)
        self.message_user(request, "Usage counted.")

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<int:tenant_id>/delete-site/",
                self.admin_site.admin_view(self.delete_site),
                name="tenants_tenant_delete_site",
            ),
            path(
                "exports/<int:export_id>/download/",
                self.admin_site.admin_view(self.download),
                name="tenants_tenantexport_download",
            ),
            *super().get_urls(),
        ]

    def delete_site(self, request: HttpRequest, tenant_id: int) -> HttpResponse:
        tenant = get_object_or_404(self.get_queryset(request), pk=tenant_id)
        # The admin's own delete is switched off; deleting a site needs that permission still.
        if not request.user.has_perm("tenants.delete_tenant"):
            raise PermissionDenied
        form = DeleteSiteForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                # The log entry is written first, as the admin requires, and undone with
                # the rest if the deletion is refused.
                with transaction.atomic():
                    self.log_deletions(request, Tenant.objects.filter(pk=tenant.pk))
                    tenant_delete(tenant=tenant, confirm_slug=form.cleaned_data["confirm_slug"])
            except ValidationError as error:
                form.add_error("confirm_slug", error.messages)
            else:
                self.message_user(request, f"{tenant.name} was deleted. Its exports are kept.")
                return redirect("admin:tenants_tenant_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": f"Delete {tenant.name}",
            "tenant": tenant,
            "form": form,
            "exports": tenant.exports.filter(status=TenantExport.Status.READY),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/tenants/delete_site.html", context)

    def download(self, request: HttpRequest, export_id: int) -> FileResponse:
        # An archive is a whole tenant's data: only staff who may change tenants get it.
        if not self.has_change_permission(request):
            raise PermissionDenied
        export = get_object_or_404(TenantExport, pk=export_id, status=TenantExport.Status.READY)
        file = Path(export.path)
        # Only archives we wrote, under EXPORT_ROOT.
        if not file.is_file() or settings.EXPORT_ROOT.resolve() not in file.resolve().parents:
            raise Http404
        return FileResponse(file.open("rb"), as_attachment=True, filename=file.name)


@admin.register(Signup)
class SignupAdmin(admin.ModelAdmin):
    """Sign-ups and their provisioning: failures show their error and can be retried."""

    list_display = [
        "organisation", "slug", "status", "step", "attempts", "source", "used_spare",
        "seconds", "created_at",
    ]  # fmt: skip
    list_filter = ["status", "source"]
    search_fields = ["organisation", "slug"]
    exclude = ["password_hash", "submit_key"]
    actions = ["retry"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in Signup._meta.fields if f.name not in self.exclude]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="Total seconds")
    def seconds(self, signup: Signup) -> Any:
        return signup.timings.get("total", "–")

    @admin.action(description="Retry provisioning of failed sign-ups", permissions=["change"])
    def retry(self, request: HttpRequest, queryset: QuerySet[Signup]) -> None:
        retried = 0
        for signup in queryset.filter(status=Signup.Status.FAILED):
            signup.status = Signup.Status.QUEUED
            signup.error = ""
            try:
                signup.full_clean(validate_constraints=True, exclude=["password_hash"])
                signup.save()
            except ValidationError:
                self.message_user(request, f"{signup.slug} is taken now.", messages.ERROR)
                continue
            signup_queue(signup=signup)
            retried += 1
        self.message_user(request, f"{retried} sign-up(s) queued again.")


class TrialForm(forms.Form):
    slug = forms.CharField(label="Site address (subdomain)", max_length=200)


@admin.register(DemoRequest)
class DemoRequestAdmin(admin.ModelAdmin):
    """The demo pipeline: new, contacted, demo booked, trial, won or lost."""

    list_display = ["organisation", "role", "stage", "owner", "created_at"]
    list_filter = ["stage", "owner"]
    search_fields = ["organisation"]
    readonly_fields = ["created_at", "closed_at", "purged_at", "consent", "trial"]
    fields = [
        "organisation", "name", "role", "email", "phone", "message", "consent",
        "stage", "owner", "notes", "trial", "created_at", "closed_at", "purged_at",
    ]  # fmt: skip

    @admin.display(description="Trial site")
    def trial(self, demo: DemoRequest) -> str:
        if demo.pk is None:
            return "–"
        signup = demo.signups.order_by("-created_at").first()
        if signup is not None:
            return f"{signup.slug}: {signup.get_status_display()}"
        url = reverse("admin:tenants_demorequest_trial", args=[demo.pk])
        return format_html('<a href="{}">Create a trial site…</a>', url)

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<int:demo_id>/trial/",
                self.admin_site.admin_view(self.create_trial),
                name="tenants_demorequest_trial",
            ),
            *super().get_urls(),
        ]

    def create_trial(self, request: HttpRequest, demo_id: int) -> HttpResponse:
        demo = get_object_or_404(DemoRequest, pk=demo_id)
        if not self.has_change_permission(request, demo):
            raise Http404
        form = TrialForm(
            request.POST if request.method == "POST" else None,
            initial={"slug": slugify(demo.organisation)[:63].strip("-")},
        )
        if request.method == "POST" and form.is_valid():
            try:
                signup = demo_request_trial_create(demo=demo, slug=form.cleaned_data["slug"])
            except ValidationError as error:
                form.add_error("slug", error.messages)
            else:
                self.log_change(request, demo, f"Created trial site {signup.slug}")
                self.message_user(
                    request,
                    f"Setting up {signup.slug}; {demo.name} will be invited to be its admin.",
                )
                return redirect("admin:tenants_demorequest_change", demo.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Create a trial site for {demo.organisation}",
            "demo": demo,
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/tenants/create_trial.html", context)
