"""Builds Frontline Voice's own labelled evaluation set for the personal-data
check and the safeguarding triage: `privacy-dev.jsonl` (rules may be tuned on it)
and `privacy-heldout.jsonl` (never looked at while writing rules; scored by
`make bench` and guarded by tests/test_privacy_accuracy.py).

Same schema as ../shared/eval (text, pii spans with kinds, safeguarding). Each
template marks its spans as <<kind|value>>; slots ({F}, {S}, {N}...) are filled
from name pools written for this set, deliberately unlike any gazetteer list, and
identifiers from reserved test ranges. Deterministic: `python3 bench/eval/make_eval.py`.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

from stdnum.gb import upn as upn_check
from templates_dev import PII as DEV_PII
from templates_dev import SAFEGUARDING as DEV_SG
from templates_heldout import PII as HELD_PII
from templates_heldout import SAFEGUARDING as HELD_SG

HERE = Path(__file__).resolve().parent
FORENAMES = (
    "Aaliyah Abdi Ada Adaeze Aisha Alfie Amelia Anaya Archie Aryan Asha Ayesha "
    "Bartek Bethany Bilal Blessing Bogdan Brooke Caoimhe Callum Chiamaka Ciara "
    "Connor Daisy Darius Declan Demi Dylan Ebony Eilidh Elif Emeka Esme Ewa Fatima "
    "Filip Finley Gracie Gurpreet Hamza Hana Harley Hollie Ibrahim Ifeoma Imani "
    "Isla Jakub Jaxon Jessica Kai Kayden Keisha Kofi Leon Liam Lola Maisie Malachi "
    "Marta Mason Maya Mohammed Nadia Naomi Nikola Nia Oisin Olamide Oliver Ololade "
    "Oskar Paige Rhys Riley Ronan Rosie Ruby Sana Scarlett Shay Sienna Sinead "
    "Stefan Summer Taiwo Tariq Teagan Tegan Teodora Theo Tyler Viktor Wiktoria "
    "Yasmin Yusuf Zainab Zak Zofia"
).split()
SURNAMES = (
    "Adeleke Ahmed Akhtar Allen Asante Atkinson Babatunde Baker Begum Bennett "
    "Boateng Bradley Byrne Chowdhury Clarke Costa Cunningham Dobson Doherty "
    "Dumbrava Eze Farah Fitzgerald Gallagher Gill Grabowski Haddad Hussain "
    "Iqbal Jablonski Kaur Kelly Kowalczyk Lewandowska Lynch McAllister McGuinness "
    "Mensah Moldovan Murphy Nowak Nwachukwu Obi Ogunleye Osei Owusu Pearson Petrov "
    "Popescu Quinn Rahman Rooney Sandhu Shah Sheikh Tkachenko Ukaegbu Walsh "
    "Wozniak Yilmaz Zielinski"
).split()
# Names the shipped gazetteer does not know (checked when this set was made, and
# never to be added to portal/privacy/data): the held-out templates filled with
# these measure how far context alone finds a name.
UNSEEN_FORENAMES = (
    "Tobenna Chukwudi Oyinkansola Temitope Folasade Ikenna Somto Kelechi Uzoma "
    "Adaora Yaw Kwadwo Abena Afua Akwasi Serwaa Mirela Florin Catalin Sorin Agata "
    "Kinga Dawid Kuba Zosia Aurimas Gintare Rasa Egle Jurgita Mantas Ruta Zaid Yahya "
    "Idris Safa Rumaisa Aadhya Ishani Vihaan Reyansh Kabir Harjot Jaskaran Manveer "
    "Taran Guntas Ekam Inaaya Eesa Musab Hafsah Oluchi Nneka Chinonso Ebuka Adanma "
    "Tolu Segun Bisi Kunle Yemi Dapo Wale Eyerusalem Selam Yonas Hiwot Senait Liya "
    "Filmon Kidane Luul Hodan Sagal Bashir Abdiaziz Ilhan Nimco Cristiana Iulia "
    "Rares Smaranda Oana Wojtek Borys Jagoda Radek Szymek Tymon Ignacy"
).split()
UNSEEN_SURNAMES = (
    "Adeyinka Olatunji Onyekachi Anyanwu Okeke Chukwu Agyei Frimpong Ofori Stanciu "
    "Dragomir Kazlauskas Petrauskas Jankauskas Jama Egal Duale Hersi Tesfaye "
    "Gebremedhin Abebe Mekonnen Ogundipe Adeniyi Oyelaran Nnadi Ezeh Udeh Amoah "
    "Darko Boakye Nicolae Vasilescu Munteanu Ciobanu"
).split()
POSTCODES = [
    "CW2 7QX",
    "cw27qx",
    "M1 1AA",
    "M11AA",
    "B33 8TH",
    "B338TH",
    "CR2 6XH",
    "DN55 1PT",
    "dn551pt",
    "W1A 0AX",
    "W1A0AX",
    "EC1A 1BB",
    "ec1a1bb",
    "SK9 5AF",
    "CH65 9HQ",
    "L1 8JQ",
    "WA7 2GT",
    "ST5 1DR",
]
OFFICE_POSTCODE = "CW1 4HQ"
PHONES = [
    "07700 900481",
    "07700900736",
    "+44 7700 900912",
    "(01632) 960331",
    "020 7946 0374",
    "0161 496 0288",
    "0113 496 0917",
    "07700-900-555",
]
EMAILS = [
    "kerry.w@example.com",
    "dad.j@example.org",
    "sam_o@example.net",
    "family@xn--mnchen-3ya.example",
    "nan.b+school@example.com",
]
STREETS = [
    "Elm Grove",
    "Crewe Road",
    "Victoria Street",
    "Nantwich Lane",
    "Oak Tree Close",
    "Mill View",
    "Station Road",
    "Wistaston Avenue",
]
MONTHS = "January February March April May June July August September October November December".split()  # noqa: E501

_SLOT = re.compile(r"\{([A-Z][A-Z0-9]*)\}")
_MARK = re.compile(r"<<([a-z_]+)\|(.*?)>>", re.S)


def nhs_number(rng: random.Random) -> str:
    while True:
        digits = [9, 9, 9] + [rng.randrange(10) for _ in range(6)]
        check = (
            11 - sum(d * w for d, w in zip(digits, range(10, 1, -1), strict=True)) % 11
        )
        check = 0 if check == 11 else check
        if check != 10:
            s = "".join(map(str, digits + [check]))
            return rng.choice([f"{s[:3]} {s[3:6]} {s[6:]}", s])


def nino(rng: random.Random) -> str:
    first = rng.choice("ABCEGHJKLMNPRSTWXYZ")
    second = rng.choice("ABCEGHJKLMNPRSTWXYZ")
    while first + second in {"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"}:
        second = rng.choice("ABCEGHJKLMNPRSTWXYZ")
    d = "".join(str(rng.randrange(10)) for _ in range(6))
    suffix = rng.choice("ABCD")
    return rng.choice(
        [
            f"{first}{second}{d}{suffix}",
            f"{first}{second} {d[:2]} {d[2:4]} {d[4:]} {suffix}",
        ]
    )


def upn(rng: random.Random) -> str:
    body = rng.choice(["873", "895", "896", "201", "330"]) + "".join(
        str(rng.randrange(10)) for _ in range(9)
    )
    return upn_check.calc_check_digit(body) + body


def dob(rng: random.Random) -> str:
    year = rng.randrange(2004, 2025)
    day, month = rng.randrange(1, 29), rng.randrange(1, 13)
    return rng.choice(
        [
            f"{day:02d}/{month:02d}/{year}",
            f"{day}.{month}.{year % 100:02d}",
            f"{day} {MONTHS[month - 1]} {year}",
            f"{day}/{month}/{year}",
        ]
    )


def fill(
    template: str,
    rng: random.Random,
    pools: tuple[list[str], list[str]] = (FORENAMES, SURNAMES),
) -> str:
    names = rng.sample(pools[0], 4)
    surnames = rng.sample(pools[1], 3)
    values: dict[str, str] = {
        "F": names[0],
        "F2": names[1],
        "F3": names[2],
        "F4": names[3],
        "S": surnames[0],
        "S2": surnames[1],
        "S3": surnames[2],
        "N": str(rng.randrange(2, 17)),
        "N2": str(rng.randrange(1, 17)),
        "DOB": dob(rng),
        "DOB2": dob(rng),
        "NHS": nhs_number(rng),
        "NINO": nino(rng),
        "UPN": upn(rng),
        "PC": rng.choice(POSTCODES),
        "PHONE": rng.choice(PHONES),
        "EMAIL": rng.choice(EMAILS),
        "HOUSE": str(rng.randrange(1, 180)),
        "STREET": rng.choice(STREETS),
        "REF": str(rng.randrange(1_000_000, 9_999_999)),
        "REF2": str(rng.randrange(1_000_000, 9_999_999)),
        "REF3": str(rng.randrange(1_000_000, 9_999_999)),
        "OFFICE": OFFICE_POSTCODE,
    }
    return _SLOT.sub(lambda m: values[m.group(1)], template)


def spans(marked: str) -> tuple[str, list[dict[str, object]]]:
    out, found, position = [], [], 0
    for match in _MARK.finditer(marked):
        out.append(marked[position : match.start()])
        start = sum(map(len, out))
        out.append(match.group(2))
        found.append(
            {"start": start, "end": start + len(match.group(2)), "kind": match.group(1)}
        )
        position = match.end()
    out.append(marked[position:])
    return "".join(out), found


def build(
    pii: list[str],
    safeguarding: list[tuple[bool, str]],
    prefix: str,
    seed: int,
    copies: int,
    pools: tuple[list[str], list[str]] = (FORENAMES, SURNAMES),
) -> list[dict[str, object]]:
    rng = random.Random(seed)
    items: list[dict[str, object]] = []
    for template in pii:
        for _ in range(copies):
            text, found = spans(fill(template, rng, pools))
            items.append({"text": text, "pii": found, "safeguarding": None})
    for flag, template in safeguarding:
        text, found = spans(fill(template, rng, pools))
        items.append({"text": text, "pii": found, "safeguarding": flag})
    for n, item in enumerate(items, 1):
        item["id"] = f"{prefix}{n:03d}"
    return items


def main() -> None:
    known = (FORENAMES, SURNAMES)
    unseen = (UNSEEN_FORENAMES, UNSEEN_SURNAMES)
    for name, pii, sg, prefix, seed, pools in (
        ("privacy-dev.jsonl", DEV_PII, DEV_SG, "V", 11, known),
        ("privacy-heldout.jsonl", HELD_PII, HELD_SG, "H", 29, known),
        ("privacy-heldout-unseen-names.jsonl", HELD_PII, HELD_SG, "U", 47, unseen),
    ):
        items = build(pii, sg, prefix, seed, copies=5, pools=pools)
        with (HERE / name).open("w") as out:
            for item in items:
                out.write(json.dumps(item, ensure_ascii=False) + "\n")
        print(f"{name}: {len(items)} texts")


if __name__ == "__main__":
    main()
