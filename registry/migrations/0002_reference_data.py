"""Every ISO 3166-1 country and ISO 4217 currency (from pycountry), and the basic
instruments of finance. Taiwan, Hong Kong and the Cook Islands are ISO 3166-1 entries
and are here like any other."""

import pycountry
from django.db import migrations

# UN M49 regions (continental level), by ISO alpha-2 code.
REGIONS = {
    "Africa": (
        "DZ AO BJ BW IO BF BI CV CM CF TD KM CG CD CI DJ EG GQ ER SZ ET TF GA GM GH GN GW KE LS LR LY MG MW ML MR "
        "MU YT MA MZ NA NE NG RE RW SH ST SN SC SL SO ZA SS SD TZ TG TN UG EH ZM ZW"
    ),
    "Americas": (
        "AI AG AR AW BS BB BZ BM BO BQ BV BR CA KY CL CO CR CU CW DM DO EC SV FK GF GL GD GP GT GY HT HN JM MQ MX "
        "MS NI PA PY PE PR BL KN LC MF PM VC SX GS SR TT TC US UY VE VG VI"
    ),
    "Asia": (
        "AF AM AZ BH BD BT BN KH CN CY GE HK IN ID IR IQ IL JP JO KZ KP KR KW KG LA LB MO MY MV MN MM NP OM PK PS "
        "PH QA SA SG LK SY TW TJ TH TL TR TM AE UZ VN YE"
    ),
    "Europe": (
        "AX AL AD AT BY BE BA BG HR CZ DK EE FO FI FR DE GI GR GG VA HU IS IE IM IT JE LV LI LT LU MT MD MC ME NL "
        "MK NO PL PT RO RU SM RS SK SI ES SJ SE CH UA GB"
    ),
    "Oceania": "AS AU CX CC CK FJ PF GU HM KI MH FM NR NC NZ NU NF MP PW PG PN WS SB TK TO TV UM VU WF",
    "Antarctica": "AQ",
}

INSTRUMENTS = [
    ("loan", "Loan", True),
    ("concessional-loan", "Concessional loan", True),
    ("preferential-buyers-credit", "Preferential buyer's credit", True),
    ("export-buyers-credit", "Export buyer's credit", True),
    ("export-sellers-credit", "Supplier's credit / export seller's credit", True),
    ("interest-free-loan", "Interest-free loan", True),
    ("commercial-loan", "Commercial loan", True),
    ("grant", "Grant", False),
    ("investment", "Investment", False),
    ("equity", "Equity", False),
    ("technical-assistance", "Technical assistance", False),
    ("debt-rescheduling", "Debt rescheduling", True),
    ("debt-forgiveness", "Debt forgiveness", False),
    ("unspecified", "Unspecified financing", True),
]


def load(apps, schema_editor):
    Country = apps.get_model("registry", "Country")
    Currency = apps.get_model("registry", "Currency")
    Instrument = apps.get_model("registry", "Instrument")
    region_of = {code: region for region, codes in REGIONS.items() for code in codes.split()}
    Country.objects.bulk_create(
        [
            Country(
                iso2=entry.alpha_2,
                iso3=entry.alpha_3,
                numeric=entry.numeric,
                name=entry.name,
                common_name=getattr(entry, "common_name", ""),
                official_name=getattr(entry, "official_name", ""),
                region=region_of.get(entry.alpha_2, ""),
            )
            for entry in pycountry.countries
        ]
    )
    Currency.objects.bulk_create([Currency(code=entry.alpha_3, name=entry.name) for entry in pycountry.currencies])
    Instrument.objects.bulk_create(
        [Instrument(slug=slug, name=name, is_debt=is_debt) for slug, name, is_debt in INSTRUMENTS]
    )


def unload(apps, schema_editor):
    for model in ("Instrument", "Currency", "Country"):
        apps.get_model("registry", model).objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
