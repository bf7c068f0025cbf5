"""The service guide: every section of DOMAIN.md §3, fetched materials, versions by date, languages."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from govhall.catalog import services, testing
from govhall.catalog.models import ItemVersion
from govhall.catalog.selectors import guide_of


def guide_url(item, **params):
    url = reverse("portal:guide", args=[item.code])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


@pytest.fixture
def rich_item(organ, other_organ):
    """A charged, joint item with every kind of material."""
    testing.make_topic("E02", "准营准办", "enterprise")
    item = testing.make_item(
        organ=organ, topics=["E02"], fee_charged=True, joint_organs=[other_organ.credit_code],
        legal_time_limit_note="不含现场核查时间",
        fees=[{"name": "工本费", "standard": "每证10元", "basis": "皖价费〔2020〕1号", "reduction": "小微企业免收"}],
        materials=[*testing.guide()["materials"],
                   {"name": "场所平面图", "necessity": "later", "form": "paper", "source": "applicant",
                    "licence_type_code": "", "data_resource_code": "", "issuing_organ": "",
                    "original_count": 1, "copy_count": 2, "paper_size": "A3",
                    "paper_legal_basis": "《食品经营许可管理办法》第十二条", "acceptance_standard": "标注尺寸",
                    "notes": "须加盖公章", "later_days": 5},
                   {"name": "健康证明承诺书", "necessity": "promise", "form": "electronic", "source": "shared_data",
                    "licence_type_code": "", "data_resource_code": "DR-340000-0001", "issuing_organ": "卫健委",
                    "original_count": 0, "copy_count": 0, "paper_size": "", "paper_legal_basis": "",
                    "acceptance_standard": "", "notes": "", "later_days": None}],
    )
    return item


def test_the_guide_shows_every_section(client, rich_item, other_organ):
    html = client.get(guide_url(rich_item)).content.decode()
    assert html.count("<h1") == 1
    expected = [
        # basic information
        "食品经营许可（新办）", rich_item.catalog_item.basic_code, rich_item.code, "六安市市场监督管理局",
        "《中华人民共和国食品安全法》第三十五条", "准营准办",
        # conditions, materials and every material attribute
        "具有与经营的食品品种", "食品经营许可申请书", "营业执照", "场所平面图", "A3", "《食品经营许可管理办法》第十二条",
        "标注尺寸", "须加盖公章", "市场监管部门", "5 个工作日内补交", "签署承诺", "原件 1 份，复印件 2 份",
        # process, joint organs, time limits, special procedures
        "申请", "受理", "审查", "决定", other_organ.name, "20 个工作日", "10 个工作日", "不含现场核查时间", "现场核查",
        "不计入", "《食品经营许可管理办法》",
        # fees
        "工本费", "每证10元", "皖价费〔2020〕1号", "小微企业免收",
        # handling, result, contact, faq
        "无数量限制", "六安市政务服务中心二楼", "周一至周五 8:30-12:00 14:30-17:30", "0564-3370000", "12345",
        "食品经营许可证", "可以网上办理吗？", "可以，全程网办。",
        # version
        "版本 1", timezone.localdate().isoformat(),
    ]
    missing = [text for text in expected if text not in html]
    assert missing == []
    for section in ("基本信息", "受理条件", "申请材料", "办理流程", "联办机构", "办理时限", "特别程序", "收费",
                    "办理形式", "网上办理深度", "到现场次数", "预约办理", "网上支付", "物流快递", "通办范围", "数量限制",
                    "中介服务", "办理结果", "办理地点", "办理时间", "咨询电话", "监督投诉电话", "常见问题", "历史版本"):
        assert section in html, section


def test_fetched_materials_are_marked_as_not_to_be_submitted(client, published_item):
    from govhall.licenses import services as licences

    # the guide says the business licence comes from the e-licence library, but this platform does not
    # know that licence type: the applicant must submit it, and the once-only count agrees
    html = client.get(guide_url(published_item)).content.decode()
    row = html.split("营业执照", 1)[1].split("</tr>", 1)[0]
    assert "无需提交" not in row and "本平台暂不能获取该材料，请提交" in row
    assert "中有 0 项" in html
    from govhall.catalog.models import ExerciseLevel

    samr = services.organ_create(actor=None, credit_code="11100000000019713D", name="国家市场监督管理总局",
                                 region=published_item.organ.region, level=ExerciseLevel.NATIONAL, nature="1")
    licences.licence_type_create(
        actor=None, type_code="11100000000019713D001", name="营业执照", holder_kind="legal_person",
        face_schema=[{"name": "name", "label_zh": "名称", "label_en": "Name", "type": "text", "required": True}],
        defining_organ=samr, template="licences/food_business")
    html = client.get(guide_url(published_item)).content.decode()
    row = html.split("营业执照", 1)[1].split("</tr>", 1)[0]
    assert "无需提交，由部门通过共享获取" in row
    assert "中有 1 项" in html
    application_row = html.split("食品经营许可申请书", 1)[1].split("</tr>", 1)[0]
    assert "无需提交" not in application_row


def test_a_free_item_says_so(client, published_item):
    assert "不收费" in client.get(guide_url(published_item)).content.decode()


def test_unknown_code_is_404(client, db):
    assert client.get(reverse("portal:guide", args=["X" * 31])).status_code == 404


def test_an_item_with_only_a_draft_is_404(client, organ):
    item = testing.make_item(organ=organ, publish=False)
    assert client.get(guide_url(item)).status_code == 404


@pytest.mark.parametrize("bad", ["yesterday", "2025-13-01", "20250101", "2025-02-30"])
def test_a_bad_date_is_a_400_that_explains_in_chinese_and_english(client, published_item, bad):
    response = client.get(guide_url(published_item, on=bad))
    assert response.status_code == 400
    html = response.content.decode()
    assert "不是有效的日期" in html and "is not a valid date" in html


def test_on_a_date_before_the_first_version_is_404(client, published_item):
    assert client.get(guide_url(published_item, on="2000-01-01")).status_code == 404


def test_after_republishing_the_old_guide_is_still_readable_by_date(client, published_item):
    first_day = timezone.localdate()
    draft = services.item_draft_for_edit(actor=None, item=published_item)
    services.version_update(actor=None, version=draft, guide={**guide_of(draft), "name": "食品经营许可（新办，第二版）",
                                                               "promised_time_limit_days": 5})
    later = first_day + dt.timedelta(days=30)
    services.version_publish(actor=None, version=ItemVersion.objects.get(pk=draft.pk), effective_from=later)

    with time_machine.travel(dt.datetime.combine(later, dt.time(10), tzinfo=timezone.get_current_timezone()),
                             tick=False):
        current = client.get(guide_url(published_item)).content.decode()
        assert "第二版" in current
        assert f"?on={first_day.isoformat()}" in current and f"?on={later.isoformat()}" in current

        old = client.get(guide_url(published_item, on=first_day.isoformat()))
        assert old.status_code == 200
        html = old.content.decode()
        assert "第二版" not in html and "食品经营许可（新办）" in html
        assert "不是今天现行的办事指南" in html


def test_chinese_is_the_default_language(client, published_item):
    html = client.get(guide_url(published_item)).content.decode()
    assert '<html lang="zh-CN">' in html
    assert "申请材料" in html and "受理条件" in html and "办理时限" in html


def test_switching_to_english_shows_english_labels(client, published_item):
    url = guide_url(published_item)
    response = client.post("/i18n/setlang/", {"language": "en", "next": url})
    assert response.status_code == 302
    html = client.get(url).content.decode()
    assert '<html lang="en">' in html
    assert "Materials" in html and "Acceptance conditions" in html and "Time limits" in html
    assert "The organ cannot fetch it here yet: submit it." in html
    assert "申请材料" not in html


def test_the_guide_query_count_does_not_grow_with_materials(client, organ, django_assert_max_num_queries):
    small = testing.make_item(organ=organ)
    many = testing.guide()["materials"] * 15
    big = testing.make_item(organ=organ, materials=[{**m, "name": f"{m['name']}{i}"} for i, m in enumerate(many)])
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small_queries:
        client.get(guide_url(small))
    with CaptureQueriesContext(connection) as big_queries:
        client.get(guide_url(big))
    assert len(big_queries) == len(small_queries)
    assert len(big_queries) <= 13  # + the once-only count's licence types, so the rows agree with it
