"""A visitor searches the catalog as people type: accents, case and word endings do not
matter, every word must match, and the best title match comes first. PostgreSQL answers it
from the trigram index the catalog's migration creates (docs/performance.md)."""

import pytest

from tests.factories import DepartureFactory, DestinationFactory, TourFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

TOURS = "/api/catalog/tours/"


def found(api, text: str, **params) -> list[str]:
    response = api.get(TOURS, {"search": text, **params})
    assert response.status_code == 200, response.content
    return [tour["slug"] for tour in response.json()["results"]]


@pytest.fixture
def seville(db):
    spain = DestinationFactory(name="Séville", slug="seville", country="España")
    TourFactory(slug="flamenco", title="Flamenco nights", destination=spain)
    TourFactory(slug="tapas", title="Tapas in Triana", summary="The old Séville tapas bars.")
    TourFactory(slug="glaciers", title="Glaciers of Iceland")
    return spain


def test_accents_are_ignored_both_ways(api, seville):
    assert sorted(found(api, "seville")) == ["flamenco", "tapas"]
    assert sorted(found(api, "SÉVILLE")) == ["flamenco", "tapas"]
    assert found(api, "espana") == ["flamenco"]


def test_case_and_parts_of_words_match(api, seville):
    assert found(api, "FLAMEN") == ["flamenco"]
    assert found(api, "iana") == ["tapas"]  # in the middle of "Triana"
    assert found(api, "ice") == ["glaciers"]


def test_every_word_must_match(api, seville):
    assert found(api, "seville tapas") == ["tapas"]
    assert found(api, "seville iceland") == []


def test_a_percent_sign_or_underscore_is_plain_text(api, seville):
    TourFactory(slug="discount", title="Save 100% on city walks")
    assert found(api, "100%") == ["discount"]
    assert found(api, "_") == []


def test_the_best_title_match_comes_first(api):
    lisbon = DestinationFactory(name="Lisbon", slug="lisbon")
    TourFactory(slug="a-trams", title="A day on the trams", destination=lisbon)
    TourFactory(slug="lisbon-food", title="Lisbon food walk")
    TourFactory(slug="b-fado", title="Fado evenings", summary="Songs of old Lisbon.")
    assert found(api, "lisbon") == ["lisbon-food", "a-trams", "b-fado"]


def test_ordering_overrides_relevance(api):
    TourFactory(slug="cheap", title="Rome in a day", summary="Rome", price_from=100)
    TourFactory(slug="dear", title="Colosseum at night", summary="Rome", price_from=900)
    assert found(api, "rome") == ["cheap", "dear"]
    assert found(api, "rome", ordering="-price") == ["dear", "cheap"]


def test_unpublished_tours_are_never_found(api, seville):
    TourFactory(slug="draft", title="Séville by bike", is_published=False)
    assert "draft" not in found(api, "seville")


@pytest.mark.parametrize("page_size", [5, 50])
def test_search_runs_a_constant_number_of_queries(api, page_size, django_assert_num_queries):
    spain = DestinationFactory(name="Séville", slug="seville")
    for _ in range(page_size):
        DepartureFactory(tour__destination=spain)
    with django_assert_num_queries(1):  # the page, its total counted beside its rows
        response = api.get(TOURS, {"search": "seville", "page_size": page_size})
    assert len(response.json()["results"]) == page_size
