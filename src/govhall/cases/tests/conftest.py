"""Fixtures for case handling: a licensing item with every kind of material, its staff, and time
frozen on a 2026 working day (the official 2027 calendar is not yet published)."""

import datetime as dt
import io

import pytest
import time_machine

from govhall.catalog import testing
from govhall.identity.roles import Role

START = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))  # a Monday

STEPS = [
    {"kind": "apply", "name": "申请", "description": "", "time_limit_days": None},
    {"kind": "accept", "name": "受理", "description": "", "time_limit_days": 1},
    {"kind": "undertake", "name": "承办", "description": "", "time_limit_days": 3},
    {"kind": "review", "name": "审核", "description": "", "time_limit_days": 3},
    {"kind": "approve", "name": "批准", "description": "", "time_limit_days": 2},
]


def material(name, necessity="required", source="applicant", **extra):
    data = {"name": name, "necessity": necessity, "form": "electronic", "source": source, "licence_type_code": "",
            "data_resource_code": "", "issuing_organ": "", "original_count": 1, "copy_count": 0, "paper_size": "A4",
            "paper_legal_basis": "", "acceptance_standard": "", "notes": "", "later_days": None}
    data.update(extra)
    return data


MATERIALS = [
    material("申请书", source="online_form"),
    material("经营场所平面图"),
    material("营业执照", source="e_licence", licence_type_code="11100000000019713D001"),
    material("健康证明", necessity="later", later_days=10),
    material("食品安全承诺书", necessity="promise"),
    material("其他说明材料", necessity="optional"),
]


@pytest.fixture
def clock_start():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def item(organ, clock_start):
    return testing.make_item(organ=organ, process_steps=STEPS, materials=MATERIALS)


@pytest.fixture
def joint_item(organ, co_organ, clock_start):
    return testing.make_item(organ=organ, name="建设项目联合审批", process_steps=STEPS[:3], materials=MATERIALS[:2],
                             joint_organs=[co_organ.credit_code], legal_time_limit_days=20,
                             promised_time_limit_days=15)


@pytest.fixture
def co_organ(regions):
    return testing.make_organ(regions["city"], name="六安市住房和城乡建设局")


@pytest.fixture
def window(organ):
    return testing.make_staff("window_officer", Role.WINDOW_OFFICER, organ)


@pytest.fixture
def reviewer(organ):
    return testing.make_staff("reviewer", Role.REVIEWER, organ)


@pytest.fixture
def approver(organ):
    return testing.make_staff("approver", Role.APPROVER, organ)


@pytest.fixture
def co_reviewer(co_organ):
    return testing.make_staff("co_reviewer", Role.REVIEWER, co_organ)


@pytest.fixture
def other_window(other_organ):
    return testing.make_staff("hefei_window", Role.WINDOW_OFFICER, other_organ)


PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n" \
      b"trailer<</Root 1 0 R>>\n%%EOF\n"


def pdf(tag: str = "") -> io.BytesIO:
    return io.BytesIO(PDF + f"% {tag}\n".encode())


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def ready_application(applicant_person, item, media):
    """A complete draft of 张三 for ``item``: form filled, plan uploaded, health certificate to follow,
    promise signed."""
    from govhall.cases import services

    user = applicant_person.user
    application = services.application_start(actor=user, item_code=item.code)
    fill(application, user)
    return application


def fill(application, user):
    from govhall.cases import services

    services.application_update(actor=user, application=application, form_data={
        "contact_name": "张三", "contact_phone": "13955600001", "address": "六安市金安区梅山南路 1 号"})
    by_name = {m.material.name: m.material_id for m in application.materials.select_related("material")}
    if "经营场所平面图" in by_name:
        services.material_upload(actor=user, application=application, material_id=by_name["经营场所平面图"],
                                 upload=pdf("plan"), filename="平面图.pdf")
    if "健康证明" in by_name:
        services.material_set(actor=user, application=application, material_id=by_name["健康证明"], status="later",
                              follow_by=dt.date(2026, 6, 10))
    if "食品安全承诺书" in by_name:
        services.material_set(actor=user, application=application, material_id=by_name["食品安全承诺书"],
                              status="promised", promise_text="本人承诺所经营食品符合食品安全标准，如有虚假愿承担法律责任。")


@pytest.fixture
def submitted(ready_application):
    from govhall.cases import services

    return services.application_submit(actor=ready_application.applicant, application=ready_application)
