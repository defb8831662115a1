"""synthetic.people: the invented respondents are the same for the same seed, differ between seeds,
and use reserved example domains and the listed titles."""

from __future__ import annotations

import re

from analysis.synthetic import people


def test_pool_is_seeded_invented_and_at_example_domains():
    a, b, c = people.person_pool(1), people.person_pool(1), people.person_pool(2)
    assert all(len(a[k]) == people.PERSON_POOL for k in ("name", "email", "phone", "title"))
    assert all((a[k] == b[k]).all() for k in a) and not (a["name"] == c["name"]).all()
    assert all(re.fullmatch(r"[a-z]+\.[a-z.]+@example\.(com|org|net)", e) for e in a["email"])
    assert set(a["title"]) <= set(people.TITLES)
    assert all(len(n.split(" ")) >= 2 for n in a["name"])
