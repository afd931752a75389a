"""Sample files in the real formats, written per test."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

ACLED_HEADER = (
    "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,actor1,"
    "assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,interaction,civilian_targeting,iso,region,"
    "country,admin1,admin2,admin3,location,latitude,longitude,geo_precision,source,source_scale,"
    "notes,fatalities,tags,timestamp"
)
ACLED_ROWS = [
    # real events, described in our own words
    [
        "PAK8812",
        "26 April 2022",
        "2022",
        "1",
        "Political violence",
        "Explosions/Remote violence",
        "Suicide bomb",
        "BLA: Baloch Liberation Army",
        "",
        "Rebel group",
        "Civilians (China)",
        "",
        "Civilians",
        "Rebel group-Civilians",
        "Civilian targeting",
        "586",
        "Caspian",
        "Pakistan",
        "Sindh",
        "Karachi East",
        "",
        "Karachi - University",
        "24.9418",
        "67.1207",
        "1",
        "Dawn; Reuters",
        "National-International",
        "A female suicide bomber blew up a van carrying Chinese teachers of the Confucius Institute, killing\n"
        "three Chinese nationals and their Pakistani driver.",
        "4",
        "",
        "1651616000",
    ],
    [
        "PAK9011",
        "2024-03-26",
        "2024",
        "1",
        "Political violence",
        "Explosions/Remote violence",
        "Suicide bomb",
        "Unidentified Armed Group (Pakistan)",
        "",
        "Political militia",
        "Civilians (China)",
        "",
        "Civilians",
        "",
        "Civilian targeting",
        "586",
        "Caspian",
        "Pakistan",
        "Khyber Pakhtunkhwa",
        "Shangla",
        "Besham",
        "Besham",
        "34.9301",
        "72.8760",
        "2",
        "Dawn",
        "National",
        "A suicide bomber rammed a vehicle into a convoy taking Chinese engineers to the Dasu project.",
        "6",
        "",
        "",
    ],
    [
        "PAK7560",
        "2021-08-20",
        "2021",
        "1",
        "Political violence",
        "Explosions/Remote violence",
        "Suicide bomb",
        "BLA: Baloch Liberation Army",
        "",
        "Rebel group",
        "Civilians (Pakistan)",
        "",
        "Civilians",
        "",
        "Civilian targeting",
        "586",
        "Caspian",
        "Pakistan",
        "Balochistan",
        "Gwadar",
        "",
        "Gwadar",
        "25.1216",
        "62.3254",
        "1",
        "Express Tribune",
        "National",
        "A suicide attack on a convoy of Chinese nationals on the East Bay Expressway killed two children.",
        "2",
        "",
        "",
    ],
]


def write_acled(path: Path) -> Path:
    """Write the sample ACLED rows to ``path``."""
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write(ACLED_HEADER + "\n")
        csv.writer(f).writerows(ACLED_ROWS)
    return path


@pytest.fixture
def acled_csv(tmp_path: Path) -> Path:
    return write_acled(tmp_path / "acled.csv")


GTD_HEADER = [
    "eventid",
    "iyear",
    "imonth",
    "iday",
    "country_txt",
    "region_txt",
    "provstate",
    "city",
    "latitude",
    "longitude",
    "specificity",
    "suicide",
    "attacktype1_txt",
    "targtype1_txt",
    "natlty1_txt",
    "gname",
    "claimed",
    "nkill",
    "nwound",
    "nhostkid",
    "summary",
    "scite1",
]
GTD_ROWS = [
    [
        "201811230006",
        "2018",
        "11",
        "23",
        "Pakistan",
        "South Asia",
        "Sindh",
        "Karachi",
        "24.8395",
        "67.0318",
        "1",
        "0",
        "Armed Assault",
        "Government (Diplomatic)",
        "China",
        "Baloch Liberation Army (BLA)",
        "1",
        "7",
        "1",
        "",
        "Assailants attacked the Chinese consulate in Clifton; police stopped them at the gate.",
        "“Attack on consulate”, Dawn",
    ],
    [
        "201808110001",
        "2018",
        "8",
        "0",
        "Pakistan",
        "South Asia",
        "Balochistan",
        "Dalbandin",
        "28.8885",
        "64.4062",
        "1",
        "1",
        "Bombing/Explosion",
        "Business",
        "China",
        "Baloch Liberation Army (BLA)",
        "1",
        "1",
        "6",
        "",
        "A suicide bomber hit a bus carrying Chinese engineers near Dalbandin.",
        "",
    ],
    [
        "201700000001",
        "2017",
        "0",
        "0",
        "Pakistan",
        "South Asia",
        "Balochistan",
        "Gwadar",
        "25.1216",
        "62.3254",
        "2",
        "0",
        "Armed Assault",
        "Private Citizens & Property",
        "Pakistan",
        "Balochistan Liberation Front (BLF)",
        "0",
        "10",
        "",
        "",
        "Gunmen shot labourers at a road construction site.",
        "",
    ],
    [
        "201900000009",
        "2019",
        "5",
        "11",
        "Pakistan",
        "South Asia",
        "Balochistan",
        "Gwadar",
        "",
        "",
        "1",
        "0",
        "Armed Assault",
        "Business",
        "Pakistan",
        "BLA",
        "1",
        "-99",
        "",
        "",
        "Row without coordinates.",
        "",
    ],
]


@pytest.fixture
def gtd_csv(tmp_path: Path) -> Path:
    """A GTD extract saved the way spreadsheet exports often are: cp1252."""
    path = tmp_path / "gtd.csv"
    with path.open("w", encoding="cp1252", newline="") as f:
        w = csv.writer(f)
        w.writerow(GTD_HEADER)
        w.writerows(GTD_ROWS)
    return path
