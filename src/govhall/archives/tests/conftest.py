"""Fixtures of the archives tests: closed cases (granted with a licence, not accepted) on the case
fixtures (an item with steps, staff, frozen time), the archive storage in a temporary folder."""

import pytest

from govhall.catalog.models import ItemVersion
from govhall.core import events
from govhall.documents.tests.conftest import *  # noqa: F403 - the case fixtures and the PDF helpers
from govhall.identity.roles import Role

FACE_SCHEMA = [
    {"name": "address", "label_zh": "经营场所", "label_en": "Premises", "type": "text", "required": True,
     "public": True},
]


def minimal_pdf(tag: str = "") -> bytes:
    """A small but complete PDF (catalogue, one empty page, cross-reference table, trailer)."""
    objects = [b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
               b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>"]
    out = bytearray(b"%PDF-1.4\n% " + tag.encode() + b"\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


@pytest.fixture(autouse=True)
def complete_pdfs(monkeypatch):
    """The case fixtures upload a PDF without a cross-reference table, which the usability check
    rightly refuses; these tests upload complete ones (one test keeps the truncated kind)."""
    from govhall.cases.tests import conftest as cases_conftest

    monkeypatch.setattr(cases_conftest, "PDF", minimal_pdf("material"))


@pytest.fixture(autouse=True)
def archive_root(settings, tmp_path):
    settings.GOVHALL_ARCHIVES_ROOT = str(tmp_path / "archive")
    settings.GOVHALL_ARCHIVES_COPY_ROOT = ""
    return tmp_path / "archive"


@pytest.fixture
def archivist(organ):
    from govhall.catalog import testing

    return testing.make_staff("archivist", Role.ARCHIVIST, organ)


@pytest.fixture
def licence_type(organ):
    from govhall.licenses import services as licences

    return licences.licence_type_create(actor=None, type_code=organ.credit_code + "005", name="食品经营许可证（个人）",
                                        holder_kind="person", face_schema=FACE_SCHEMA, defining_organ=organ,
                                        validity_years=5, template="licences/food_business")


def close_granted(case, window, reviewer, approver):
    from govhall.cases import services

    services.case_accept(actor=window, case=case)
    case.refresh_from_db()
    # the item became a licence item after this application was made: the officer gives the licence
    # details (never taken from other fields of the form)
    fields = {f"licence_{f['name']}": {"address": "六安市金安区佛子岭路 18 号一层"}.get(f["name"], "张三")
              for f in FACE_SCHEMA}
    services.licence_face_correct(actor=reviewer, case=case, values=fields, reason="按申请材料填写")
    case.refresh_from_db()
    for kind, actor in (("undertake", reviewer), ("review", reviewer), ("approve", approver)):
        services.step_complete(actor=actor, case=case, step_id=case.steps.get(kind=kind).pk, action="pass",
                               opinion="同意")
    case.refresh_from_db()
    services.case_decide(actor=approver, case=case, outcome="grant", reasons="符合许可条件",
                         legal_basis="《中华人民共和国食品安全法》第三十五条")
    case.refresh_from_db()
    services.case_deliver(actor=window, case=case, method="download")
    case.refresh_from_db()
    return case


@pytest.fixture
def granted(submitted, window, reviewer, approver, licence_type, media):
    """张三's case, granted with its licence and delivered (closed); the ``case.closed`` event has
    been delivered, so the case is archived."""
    ItemVersion.objects.filter(pk=submitted.version_id).update(result_licence_type_code=licence_type.type_code)
    submitted.refresh_from_db()
    case = close_granted(submitted, window, reviewer, approver)
    events.drain()
    return case


@pytest.fixture
def refused(submitted, window, media):
    from govhall.cases import services

    services.case_refuse(actor=window, case=submitted, reason="不属于本机关职权范围", legal_basis="《行政许可法》第三十二条")
    submitted.refresh_from_db()
    events.drain()
    return submitted
