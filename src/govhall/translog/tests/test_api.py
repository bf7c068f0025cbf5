"""The router's operations map selector results to the published JSON (mounted by api/v1.py)."""

import pytest
from django.db import transaction

from govhall.api import translog as api
from govhall.core.errors import DomainError, NotFound
from govhall.crypto import keys, sm
from govhall.translog import merkle, selectors, services

pytestmark = pytest.mark.django_db


def test_a_third_party_checks_inclusion_and_consistency_from_the_published_json():
    with transaction.atomic():
        for i in range(6):
            services.append(kind="licenses.issued", payload={"n": i})
    old = selectors.sth_dict(services.sign_tree_head())
    with transaction.atomic():
        services.append(kind="licenses.revoked", payload={"n": 2})
    services.sign_tree_head()
    sth = api.latest_sth(None)
    assert sth["tree_size"] == 7 and api.sth_by_size(None, 6) == old
    entry = api.entry(None, 3)
    leaf = merkle.SM3.leaf(entry["data"].encode("utf-8"))
    assert leaf.hex() == entry["leaf_hash"]
    proof = api.inclusion(None, api.InclusionQuery(index=3, tree_size=7))
    assert merkle.verify_inclusion(leaf_hash=leaf, index=3, tree_size=7, path=[bytes.fromhex(p) for p in proof["path"]],
                                   root=bytes.fromhex(sth["root_hash"]))
    consistency = api.consistency(None, api.ConsistencyQuery(first=6, second=7))
    assert merkle.verify_consistency(first_size=6, second_size=7, proof=[bytes.fromhex(p) for p in consistency["proof"]],
                                     first_root=bytes.fromhex(old["root_hash"]),
                                     second_root=bytes.fromhex(sth["root_hash"]))
    pem = api.key(None, sth["key_id"])["public_key_pem"]
    assert sm.sm2_verify(keys.load_public_key(pem), sth["signed"].encode(), bytes.fromhex(sth["signature"]))
    with pytest.raises(DomainError):
        api.inclusion(None, api.InclusionQuery(index=7, tree_size=7))
    with pytest.raises(NotFound):
        api.key(None, "licenses.certificate-x")
