from django.contrib import admin

from calculator.models import ShareSnapshot


@admin.register(ShareSnapshot)
class ShareSnapshotAdmin(admin.ModelAdmin):
    """Staff can see and revoke shared reports; the payload stays read-only."""

    list_display = ("short_token", "created_at", "expires_at")
    readonly_fields = ("token", "payload", "created_at")
    date_hierarchy = "created_at"

    @admin.display(description="токен")
    def short_token(self, obj: ShareSnapshot) -> str:
        return f"{obj.token[:6]}…"
