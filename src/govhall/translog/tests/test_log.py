"""The stored log: appends, proofs from the stored subtrees (checked against the literal RFC
definitions), signed tree heads, and tampering that old signed tree heads expose."""

import datetime as dt
import json

import pytest
from django.db import transaction

from govhall.core.errors import DomainError, NotFound
from govhall.core.models import AuditEvent
from govhall.crypto.models import KeyPair
from govhall.translog import merkle, selectors, services
from govhall.translog.models import LogEntry, LogHead, LogNode, SignedTreeHead, node_key

from .naive import MTH, PATH, PROOF

pytestmark = pytest.mark.django_db


def fill(count, start=0):
    with transaction.atomic():
        return [services.append(kind="licenses.issued", payload={"n": i, "holder": f"持证人{i}",
                                                                  "valid_to": dt.date(2030, 1, i % 28 + 1)})
                for i in range(start, start + count)]


def leaf_inputs():
    return [e.leaf_data for e in LogEntry.objects.order_by("index")]


def test_an_append_stores_the_canonical_leaf_and_the_subtrees_it_completes():
    with transaction.atomic():
        entry = services.append(kind="licenses.issued", payload={"b": 1, "a": "营业执照", "d": dt.date(2026, 5, 1)})
    assert entry.index == 0
    stored = LogEntry.objects.get(index=0)
    data = json.loads(stored.data)
    assert data["kind"] == "licenses.issued" and data["payload"] == {"a": "营业执照", "b": 1, "d": "2026-05-01"}
    assert stored.data.startswith('{"kind":"licenses.issued","logged_at":"') and "营业执照" in stored.data
    assert stored.data.index('"a"') < stored.data.index('"b"')  # sorted keys, no spaces
    assert bytes(stored.leaf_hash) == merkle.SM3.leaf(stored.data.encode("utf-8"))
    assert stored.payload == {"a": "营业执照", "b": 1, "d": "2026-05-01"}
    fill(6)  # 7 leaves: nodes (0,0..6), (1,0..2), (2,0)
    assert sorted(LogNode.objects.values_list("level", "index")) == (
        [(0, i) for i in range(7)] + [(1, 0), (1, 1), (1, 2), (2, 0)])
    head = LogHead.objects.get()
    assert head.size == 7 and bytes(head.root) == MTH(leaf_inputs())
    assert selectors.tree_size() == 7 and selectors.entry(3).index == 3


@pytest.mark.django_db(transaction=True)
def test_append_belongs_in_the_callers_transaction():
    with pytest.raises(RuntimeError):
        services.append(kind="licenses.issued", payload={})
    assert not LogEntry.objects.exists()


def test_append_checks_its_input():
    with transaction.atomic():
        for kind in ["", "Licenses", "x", "licenses issued"]:
            with pytest.raises(DomainError):
                services.append(kind=kind, payload={})
        with pytest.raises(DomainError):
            services.append(kind="licenses.issued", payload={"x": float("nan")})
        with pytest.raises(DomainError):
            services.append(kind="licenses.issued", payload={"x": object()})
    assert not LogEntry.objects.exists()


def test_a_rolled_back_transaction_leaves_no_trace_in_the_log():
    fill(3)
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        services.append(kind="licenses.issued", payload={"n": 99})
        1 / 0  # noqa: B018 - the caller's write fails after the append
    assert selectors.tree_size() == 3 and LogEntry.objects.count() == 3 and LogNode.objects.count() == 3 + 1


def test_stored_proofs_equal_the_rfc_definitions_for_every_index_and_size_up_to_64():
    fill(64)
    data = leaf_inputs()
    for n in range(0, 65):
        root = MTH(data[:n])
        assert selectors.root_at(n) == root
        for m in range(n):
            path = selectors.inclusion_proof(m, n)
            assert path == PATH(m, data[:n]), (m, n)
            assert selectors.verify_inclusion(leaf_hash=selectors.leaf_hash_of(data[m]), index=m, tree_size=n,
                                              path=path, root=root)


def test_stored_consistency_proofs_for_every_pair_up_to_32():
    fill(32)
    data = leaf_inputs()
    for n in range(0, 33):
        for m in range(0, n + 1):
            proof = selectors.consistency_proof(m, n)
            assert proof == (PROOF(m, data[:n]) if m else []), (m, n)
            assert selectors.verify_consistency(first_size=m, second_size=n, proof=proof,
                                                first_root=MTH(data[:m]), second_root=MTH(data[:n]))


def test_proofs_beyond_the_log_are_refused():
    fill(5)
    with pytest.raises(DomainError):
        selectors.inclusion_proof(5, 5)
    with pytest.raises(DomainError):
        selectors.inclusion_proof(0, 6)
    with pytest.raises(DomainError):
        selectors.consistency_proof(4, 6)
    with pytest.raises(DomainError):
        selectors.consistency_proof(5, 4)
    with pytest.raises(DomainError):
        selectors.root_at(6)
    with pytest.raises(NotFound):
        selectors.entry(5)


# --- signed tree heads ----------------------------------------------------------------------------


def test_a_signed_tree_head_verifies_and_a_modified_one_does_not():
    fill(5)
    sth = services.sign_tree_head()
    assert sth.tree_size == 5 and bytes(sth.root_hash) == MTH(leaf_inputs())
    assert KeyPair.objects.filter(purpose="translog.sth", state="active").count() == 1
    assert sth.key_id.startswith("translog.sth-")
    assert selectors.verify_sth(sth)
    assert AuditEvent.objects.filter(action="translog.sth.signed").count() == 1
    published = selectors.sth_dict(sth)
    assert json.loads(published["signed"]) == {"hash_algorithm": "sm3", "root_hash": published["root_hash"],
                                               "timestamp": published["timestamp"], "tree_size": 5,
                                               "version": "govhall-translog-sth/1"}
    stored = SignedTreeHead.objects.get(pk=sth.pk)
    assert selectors.verify_sth(stored)  # survives the database round trip (ms timestamp)

    def tampered(**changes):
        copy = SignedTreeHead.objects.get(pk=sth.pk)
        for name, value in changes.items():
            setattr(copy, name, value)
        return copy

    assert not selectors.verify_sth(tampered(tree_size=6))
    assert not selectors.verify_sth(tampered(root_hash=merkle.SM3.leaf(b"forged")))
    assert not selectors.verify_sth(tampered(timestamp=sth.timestamp + dt.timedelta(milliseconds=1)))
    signature = bytearray(bytes(sth.signature))
    signature[12] ^= 1
    assert not selectors.verify_sth(tampered(signature=bytes(signature)))
    assert not selectors.verify_sth(tampered(key_id="translog.sth-unknown"))

    fill(3, start=5)
    second = services.sign_tree_head()
    assert second.key_id == sth.key_id and selectors.latest_sth() == second
    assert selectors.sth_by_size(5) == sth
    proof = selectors.consistency_proof(5, 8)
    assert selectors.verify_consistency(first_size=5, second_size=8, proof=proof, first_root=bytes(sth.root_hash),
                                        second_root=bytes(second.root_hash))


def test_the_empty_log_can_be_signed():
    sth = services.sign_tree_head()
    assert sth.tree_size == 0 and bytes(sth.root_hash) == merkle.SM3.empty() and selectors.verify_sth(sth)


# --- tampering ------------------------------------------------------------------------------------


def rewrite_history():
    """What an operator trying to hide a change would do: recompute every stored subtree and the
    head from the (altered) entries, so that the log is self-consistent again."""
    leaves = [bytes(h) for h in LogEntry.objects.order_by("index").values_list("leaf_hash", flat=True)]
    LogNode.objects.all().delete()
    LogNode.objects.bulk_create(LogNode(key=node_key(level, index), level=level, index=index, hash=h)
                                for level, index, h in merkle.perfect_subtrees(leaves))
    frontier = []
    for n, leaf in enumerate(leaves):
        frontier, _ = merkle.frontier_append(frontier, n, leaf)
    LogHead.objects.filter(pk=1).update(size=len(leaves), frontier=b"".join(frontier),
                                        root=merkle.frontier_root(frontier))


def change_data(index):
    entry = LogEntry.objects.get(index=index)
    data = json.loads(entry.data)
    data["payload"]["holder"] = "someone else"
    entry.data = services.canonical_json(data).decode()
    entry.leaf_hash = merkle.SM3.leaf(entry.data.encode())
    entry.save()


def change_hash(index):
    LogEntry.objects.filter(index=index).update(leaf_hash=merkle.SM3.leaf(b"another leaf"))


def remove(index):
    LogEntry.objects.filter(index=index).delete()
    for later in LogEntry.objects.filter(index__gt=index).order_by("index"):
        LogEntry.objects.filter(index=later.index).update(index=later.index - 1)


OLD_SIZE = 11


@pytest.mark.parametrize("tamper", [change_data, change_hash, remove])
def test_changing_or_removing_any_past_entry_breaks_the_consistency_proof(tamper):
    """For every entry under an old signed tree head: alter it (data, leaf hash, or remove it),
    rebuild the tree so the log looks self-consistent, append, sign again: the consistency proof from
    the old head to the new one no longer verifies."""
    fill(OLD_SIZE)
    old = services.sign_tree_head()
    fill(2, start=OLD_SIZE)
    honest = services.sign_tree_head()
    assert selectors.verify_consistency(first_size=old.tree_size, second_size=honest.tree_size,
                                        proof=selectors.consistency_proof(old.tree_size, honest.tree_size),
                                        first_root=bytes(old.root_hash), second_root=bytes(honest.root_hash))
    for index in range(OLD_SIZE):
        sid = transaction.savepoint()
        tamper(index)
        rewrite_history()
        fill(3, start=100)
        new = services.sign_tree_head()
        assert selectors.verify_sth(new)  # the operator's key signs whatever the operator serves
        proof = selectors.consistency_proof(old.tree_size, new.tree_size)
        assert not selectors.verify_consistency(first_size=old.tree_size, second_size=new.tree_size, proof=proof,
                                                first_root=bytes(old.root_hash), second_root=bytes(new.root_hash)), \
            f"{tamper.__name__}({index}) went unnoticed"
        assert not selectors.check_log().ok  # the old signed heads no longer match the leaves
        transaction.savepoint_rollback(sid)


def test_tampering_without_rewriting_the_tree_is_caught_by_inclusion_and_by_the_log_check():
    fill(9)
    sth = services.sign_tree_head()
    assert selectors.check_log().ok and selectors.check_log().checked == 9

    entry = LogEntry.objects.get(index=4)
    original = entry.data
    entry.data = original.replace("持证人4", "someone else")
    entry.save()
    edited = selectors.entry(4)
    path = selectors.inclusion_proof(4, sth.tree_size)
    assert not selectors.verify_inclusion(leaf_hash=selectors.leaf_hash_of(edited.leaf_data), index=4,
                                          tree_size=sth.tree_size, path=path, root=bytes(sth.root_hash))
    assert selectors.check_log() == selectors.LogCheck(False, 4, "entry #4 does not match its leaf hash", 4)
    LogEntry.objects.filter(index=4).update(data=original)
    assert selectors.check_log().ok

    LogNode.objects.filter(key=node_key(1, 1)).update(hash=merkle.SM3.leaf(b"x"))
    check = selectors.check_log()
    assert not check.ok and "(1, 1)" in check.problem
    assert not selectors.verify_consistency(first_size=2, second_size=9, proof=selectors.consistency_proof(2, 9),
                                            first_root=merkle.mth(leaf_inputs()[:2]),
                                            second_root=bytes(sth.root_hash))


def test_removing_the_newest_entries_is_caught_by_the_log_check():
    fill(6)
    LogEntry.objects.filter(index=5).delete()
    check = selectors.check_log()
    assert not check.ok and check.index == 5
