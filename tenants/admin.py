"""Platform staff's view of organisations in the Django admin on the root domain."""

from django.contrib import admin

from tenants.models import DemoRequest, Domain, Tenant


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "status", "plan", "created_at"]
    list_filter = ["status", "plan"]
    search_fields = ["name", "slug"]
    readonly_fields = ["schema_name", "created_at"]
    inlines = [DomainInline]


@admin.register(DemoRequest)
class DemoRequestAdmin(admin.ModelAdmin):
    """The demo pipeline: new, contacted, demo booked, trial, won or lost."""

    list_display = ["organisation", "role", "stage", "owner", "created_at"]
    list_filter = ["stage", "owner"]
    search_fields = ["organisation"]
    readonly_fields = ["created_at", "closed_at", "purged_at", "consent"]
    fields = [
        "organisation", "name", "role", "email", "phone", "message", "consent",
        "stage", "owner", "notes", "created_at", "closed_at", "purged_at",
    ]  # fmt: skip
