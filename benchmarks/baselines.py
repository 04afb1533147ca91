"""Reference points for the read path, served next to the real API:

- ``constant``: Django's floor, a view that returns a constant JSON body.
- ``tours_values``: the tours list's query (category filter, price ordering, a page of
  20) written by hand with ``.values()`` and ``JsonResponse``, in the API's JSON shape.
"""

from django.http import JsonResponse

from apps.catalog import selectors

CONSTANT = {"status": "ok", "detail": "A constant body."}
PAGE_SIZE = 20


def constant(request):
    return JsonResponse(CONSTANT)


def tours_values(request):
    """GET /bench/tours-values?category=<slug>&page=<n>: the same rows as
    /api/catalog/tours/?category=<slug>&ordering=price."""
    page = int(request.GET.get("page", 1))
    tours = selectors.tour_list().filter(category__slug=request.GET["category"])
    tours = tours.order_by("price_from")
    count = tours.count()
    start = (page - 1) * PAGE_SIZE
    rows = tours.values(*selectors.TOUR_LIST_COLUMNS)[start : start + PAGE_SIZE]
    base = request.build_absolute_uri(request.path) + f"?category={request.GET['category']}"
    return JsonResponse(
        {
            "count": count,
            "next": f"{base}&page={page + 1}" if start + PAGE_SIZE < count else None,
            "previous": f"{base}&page={page - 1}" if page > 1 else None,
            "results": [_tour(row) for row in rows],
        }
    )


def _tour(row: dict) -> dict:
    return {
        "slug": row["slug"],
        "title": row["title"],
        "summary": row["summary"],
        "destination": {
            "slug": row["destination__slug"],
            "name": row["destination__name"],
            "country": row["destination__country"],
        },
        "category": {"slug": row["category__slug"], "name": row["category__name"]},
        "duration_days": row["duration_days"],
        "price_from": str(row["price_from"]),
        "currency": row["currency"],
        "image_url": row["image_url"],
        "next_departure": row["next_departure"],
    }
