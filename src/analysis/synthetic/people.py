"""The pool of invented respondents (Faker "sv_SE", seeded): names, e-mail addresses at reserved example
domains, phone numbers and job titles; one person per municipality is drawn from it."""

from __future__ import annotations

import numpy as np

PERSON_POOL = 500
TITLES = (
    "Informationssäkerhetssamordnare", "Informationssäkerhetsstrateg", "CISO", "IT-chef",
    "Säkerhetschef", "Kommunsekreterare", "Digitaliseringsstrateg", "Kanslichef",
    "Dataskyddsombud", "Beredskapssamordnare",
)
_FOLD = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", "ü": "u", " ": "", "-": ""})


def person_pool(seed: int) -> dict[str, np.ndarray]:
    """PERSON_POOL invented people (name, email, phone, title), the same for the same seed."""
    from faker import Faker  # noqa: PLC0415  heavy (its locale data); only the synthesize command needs it

    fake = Faker("sv_SE")
    fake.seed_instance(seed)
    names, emails, phones, titles = [], [], [], []
    for _ in range(PERSON_POOL):
        first, last = fake.first_name(), fake.last_name()
        names.append(f"{first} {last}")
        emails.append(f"{first.lower().translate(_FOLD)}.{last.lower().translate(_FOLD)}@{fake.safe_domain_name()}")
        phones.append(fake.phone_number())
        titles.append(fake.random_element(TITLES))
    return {k: np.array(v, dtype=object) for k, v in
            (("name", names), ("email", emails), ("phone", phones), ("title", titles))}
