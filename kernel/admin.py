from django.contrib import admin


class ReadOnlyModelAdmin(admin.ModelAdmin):
    """For records that only the app's services write (money, seat holds, logs): staff
    may look, search and filter, never add, change or delete."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
