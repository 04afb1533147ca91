from django import forms
from django.contrib import admin, messages
from django.db import models, transaction
from django.db.models import Exists, F, IntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import HttpResponseRedirect

from kernel.admin import ReadOnlyModelAdmin

from . import selectors, services
from .exceptions import CapacityBelowSeatsTaken, DepartureInUse, TourInUse
from .models import Category, Departure, Destination, SeatHold, Tour


@admin.register(Destination)
class DestinationAdmin(admin.ModelAdmin):
    list_display = ["name", "country", "slug"]
    search_fields = ["name", "country"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


def changed_fields(form, allowed) -> dict:
    return {name: form.cleaned_data[name] for name in form.changed_data if name in allowed}


class DepartureForm(forms.ModelForm):
    """Checks a new capacity against the seats taken under the row lock, which lasts
    until the admin's transaction saves the change."""

    def clean_capacity(self):
        capacity = self.cleaned_data["capacity"]
        if self.instance.pk and "capacity" in self.changed_data:
            try:
                services.departure_check_capacity(departure_id=self.instance.pk, capacity=capacity)
            except CapacityBelowSeatsTaken as exc:
                raise forms.ValidationError(exc.detail) from exc
        return capacity


def departure_save(departure: Departure, form) -> None:
    """Staff's departure writes, from the departure page or the tour page's inline."""
    if departure.pk:
        services.departure_update(
            departure_id=departure.pk, changes=changed_fields(form, services.DEPARTURE_FIELDS)
        )
    else:
        fields = {name: getattr(departure, name) for name in services.DEPARTURE_FIELDS}
        departure.pk = services.departure_create(fields=fields).pk


class DepartureInline(admin.TabularInline):
    model = Departure
    form = DepartureForm
    extra = 0
    fields = ["starts_on", "price", "capacity", "seats_held", "seats_booked", "seats_available"]
    readonly_fields = ["seats_held", "seats_booked", "seats_available"]
    ordering = ["starts_on"]


class UpcomingFilter(admin.SimpleListFilter):
    title = "upcoming departures"
    parameter_name = "upcoming"

    def lookups(self, request, model_admin):
        return [("yes", "Has upcoming departures"), ("no", "No upcoming departures")]

    def queryset(self, request, queryset):
        upcoming = Exists(selectors.departures_upcoming().filter(tour=OuterRef("pk")))
        if self.value() == "yes":
            return queryset.filter(upcoming)
        if self.value() == "no":
            return queryset.exclude(upcoming)
        return queryset


class KeptInUse(admin.ModelAdmin):
    """Deletes go through the catalog's services, which lock the departures and refuse
    any with seat holds. A hold can land after the admin's own "is it protected?" check:
    then nothing is deleted (the whole page's transaction rolls back) and staff read why,
    on the page they came from."""

    def delete_view(self, request, object_id, extra_context=None):
        return self._kept_if_in_use(super().delete_view, request, object_id, extra_context)

    def changelist_view(self, request, extra_context=None):  # the "delete selected" action
        return self._kept_if_in_use(super().changelist_view, request, extra_context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return self._kept_if_in_use(
            super().changeform_view, request, object_id, form_url, extra_context
        )

    def _kept_if_in_use(self, view, request, *args):
        try:
            return view(request, *args)
        except (TourInUse, DepartureInUse) as exc:
            self.message_user(request, exc.detail, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def delete_queryset(self, request, queryset):
        with transaction.atomic():  # all or none
            for pk in queryset.values_list("pk", flat=True):
                self.delete_model(request, self.model(pk=pk))


@admin.register(Tour)
class TourAdmin(KeptInUse):
    list_display = [
        "title",
        "destination",
        "category",
        "duration_days",
        "price_from",
        "is_published",
        "seats_available",
    ]
    list_filter = ["destination", "category", "is_published", UpcomingFilter]
    list_select_related = ["destination", "category"]
    search_fields = ["title", "summary", "slug", "destination__name"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["created_at", "updated_at"]
    inlines = [DepartureInline]
    actions = ["publish", "unpublish"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_queryset(self, request):
        upcoming_seats = (
            selectors.departures_upcoming()
            .filter(tour=OuterRef("pk"))
            .values("tour")
            .annotate(total=Sum(F("capacity") - F("seats_held") - F("seats_booked")))
            .values("total")
        )
        seats = Coalesce(Subquery(upcoming_seats, output_field=IntegerField()), Value(0))
        return super().get_queryset(request).annotate(upcoming_seats_available=seats)

    def save_model(self, request, obj, form, change):
        if change:
            services.tour_update(tour_id=obj.pk, changes=changed_fields(form, services.TOUR_FIELDS))
        else:
            fields = {name: getattr(obj, name) for name in services.TOUR_FIELDS}
            obj.pk = services.tour_create(fields=fields).pk

    def delete_model(self, request, obj):
        services.tour_delete(tour_id=obj.pk)

    def save_formset(self, request, form, formset, change):
        formset.save(commit=False)
        for departure in formset.deleted_objects:
            services.departure_delete(departure_id=departure.pk)
        for departure_form in formset.forms:
            departure = departure_form.instance
            if departure_form in formset.deleted_forms or not departure_form.has_changed():
                continue
            departure_save(departure, departure_form)

    @admin.display(description="Seats available (upcoming)", ordering="upcoming_seats_available")
    def seats_available(self, tour):
        return tour.upcoming_seats_available

    @admin.action(description="Publish selected tours", permissions=["change"])
    def publish(self, request, queryset):
        changed = services.tours_set_published(tour_ids=queryset.values("pk"), published=True)
        self.message_user(request, f"{changed} tour(s) published.", messages.SUCCESS)

    @admin.action(description="Unpublish selected tours", permissions=["change"])
    def unpublish(self, request, queryset):
        changed = services.tours_set_published(tour_ids=queryset.values("pk"), published=False)
        self.message_user(request, f"{changed} tour(s) unpublished.", messages.SUCCESS)


@admin.register(Departure)
class DepartureAdmin(KeptInUse):
    list_display = [
        "tour",
        "starts_on",
        "price",
        "capacity",
        "seats_held",
        "seats_booked",
        "seats_available",
    ]
    list_filter = ["starts_on", "tour__destination"]
    list_select_related = ["tour"]
    search_fields = ["tour__title"]
    date_hierarchy = "starts_on"
    readonly_fields = ["seats_held", "seats_booked", "seats_available"]
    autocomplete_fields = ["tour"]
    form = DepartureForm

    def save_model(self, request, obj, form, change):
        departure_save(obj, form)

    def delete_model(self, request, obj):
        services.departure_delete(departure_id=obj.pk)


@admin.register(SeatHold)
class SeatHoldAdmin(ReadOnlyModelAdmin):
    """Holds move only through the catalog's services; staff see them read-only."""

    list_display = ["key", "departure", "seats", "status", "created_at"]
    list_filter = ["status"]
    list_select_related = ["departure__tour"]
    search_fields = ["key"]
