"""Platform staff's view of organisations in the Django admin on the root domain."""

from django.contrib import admin

from tenants.models import Domain, Tenant


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
