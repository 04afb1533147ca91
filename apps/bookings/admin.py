from django.contrib import admin, messages

from kernel.problems import DomainError

from . import services
from .models import Booking, PaymentAttempt


class PaymentAttemptInline(admin.TabularInline):
    model = PaymentAttempt
    fields = ["number", "key", "payment_method", "outcome", "created_at", "updated_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False  # attempts are made by paying


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    list_display = [
        "reference",
        "status",
        "customer_name",
        "customer_email",
        "tour_title",
        "starts_on",
        "seats",
        "total",
        "currency",
        "created_at",
    ]
    list_filter = ["status", "starts_on"]
    search_fields = ["reference", "customer_email", "customer_name"]
    date_hierarchy = "starts_on"
    ordering = ["-created_at"]
    readonly_fields = [
        "id",
        "reference",
        "status",
        "departure_id",
        "tour_title",
        "tour_slug",
        "starts_on",
        "unit_price",
        "seats",
        "total",
        "currency",
        "hold_expires_at",
        "payment_key",
        "created_at",
        "updated_at",
        "confirmed_at",
        "cancelled_at",
        "expired_at",
    ]
    fields = ["customer_name", "customer_email", *readonly_fields]
    inlines = [PaymentAttemptInline]
    actions = ["cancel"]

    def has_add_permission(self, request):
        return False  # bookings are made through the API, which holds the seats

    def save_model(self, request, obj, form, change):
        # Only the customer's details are editable: write only what changed, never a status
        # or payment key that a payment or cancellation set since the page was read.
        obj.save(update_fields=[*form.changed_data, "updated_at"])

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(
        description="Cancel selected bookings (refund and release seats)", permissions=["change"]
    )
    def cancel(self, request, queryset):
        cancelled = 0
        for booking in queryset:
            try:
                services.booking_cancel(booking=booking)
                cancelled += 1
            except DomainError as exc:
                self.message_user(request, f"{booking.reference}: {exc.detail}", messages.ERROR)
        if cancelled:
            self.message_user(request, f"{cancelled} booking(s) cancelled.", messages.SUCCESS)
