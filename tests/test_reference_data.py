import pytest

from registry.models import Country, Currency, Instrument

pytestmark = pytest.mark.django_db


def test_every_iso_3166_country_is_loaded():
    assert Country.objects.count() == 249
    for iso2, iso3, name in [("TW", "TWN", "Taiwan"), ("HK", "HKG", "Hong Kong"), ("CK", "COK", "Cook Islands")]:
        country = Country.objects.get(iso2=iso2)
        assert country.iso3 == iso3
        assert country.display_name == name


def test_countries_are_found_by_either_code_any_case():
    assert Country.objects.by_code("ph") == Country.objects.by_code("PHL")
    with pytest.raises(Country.DoesNotExist):
        Country.objects.by_code("XX")


def test_countries_have_regions():
    assert not Country.objects.filter(region="").exists()
    assert Country.objects.get(iso2="PG").region == "Oceania"
    assert Country.objects.get(iso2="DJ").region == "Africa"


def test_currencies_and_instruments():
    assert {"USD", "MYR", "CNY", "HKD", "EUR"} <= set(Currency.objects.values_list("code", flat=True))
    assert Instrument.objects.get(slug="preferential-buyers-credit").is_debt
    assert not Instrument.objects.get(slug="grant").is_debt
