from django.contrib import admin

from kernel.admin import ReadOnlyModelAdmin

from .models import Payment, Refund


class RefundInline(admin.StackedInline):
    model = Refund
    fields = ["key", "amount", "status", "gateway_refund_id", "created_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Payment)
class PaymentAdmin(ReadOnlyModelAdmin):
    list_display = [
        "booking_reference",
        "amount",
        "currency",
        "status",
        "decline_code",
        "gateway",
        "attempts",
        "created_at",
    ]
    list_filter = ["status", "gateway", "created_at"]
    search_fields = ["booking_reference", "key", "gateway_charge_id"]
    date_hierarchy = "created_at"
    inlines = [RefundInline]


@admin.register(Refund)
class RefundAdmin(ReadOnlyModelAdmin):
    list_display = ["payment_booking_reference", "amount", "status", "created_at"]
    list_filter = ["status"]
    list_select_related = ["payment"]
    search_fields = ["payment__booking_reference", "key", "gateway_refund_id"]

    @admin.display(description="Booking reference", ordering="payment__booking_reference")
    def payment_booking_reference(self, refund):
        return refund.payment.booking_reference
