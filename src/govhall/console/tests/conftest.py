import datetime as dt

import pytest
import time_machine

from govhall.catalog.guide import MATERIAL_FIELDS, SCALAR_FIELDS

TODAY = dt.date(2026, 11, 23)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def edit_payload(guide: dict, **changes) -> dict:
    """The POST body the edit page sends for ``guide`` with ``changes`` applied."""
    guide = {**guide, **changes}
    data = {}
    for name in SCALAR_FIELDS:
        value = guide.get(name)
        if name == "keywords":
            data[name] = "; ".join(value or [])
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, list):
            data[name] = value
        else:
            data[name] = "" if value is None else value
    materials = guide.get("materials") or []
    data.update({"materials-TOTAL_FORMS": len(materials), "materials-INITIAL_FORMS": len(materials),
                 "materials-MIN_NUM_FORMS": 0, "materials-MAX_NUM_FORMS": 1000})
    for i, row in enumerate(materials):
        for name in MATERIAL_FIELDS:
            value = row.get(name)
            data[f"materials-{i}-{name}"] = "" if value is None else value
    return data
