"""What a case produces on paper: the sealed notices and decision (Administrative Licensing Law
Art. 32: acceptance and non-acceptance are dated written notices bearing the organ's seal; Art. 8
one-time correction notice; Art. 45 the applicant is told in writing how long a special procedure
takes; Art. 38 decisions in writing). The electronic licence a granted case issues is the licences
context's (``licenses.case_licence``).

Called by the subscribers in ``subscribers.py`` once the case action that needs the document has
committed (its domain event: ``case.accepted``, ``case.correction_requested``, ``case.suspended``,
``case.decided``, ``case.closed`` for a non-acceptance), so rendering and sealing hold no case lock;
the document appears seconds after its action. The platform seals them on the organ's behalf
(``documents.services``). The case is read through its attributes only: this module imports nothing
from ``cases``.
"""

from __future__ import annotations

from django.utils import timezone

from govhall.catalog.codesets import SpecialProcedureKind
from govhall.core.i18n import in_chinese

from . import services
from .models import SignedDocument
from .pdf import Content, Section, chinese_date

Kind = SignedDocument.Kind
REMEDY = ("如不服本决定，可以自收到本通知书之日起六十日内依法申请行政复议，或者六个月内依法向人民法院提起行政诉讼。")
LAW = "《中华人民共和国行政许可法》"


def _footer(case) -> str:
    return (f"本文书由政务服务平台代{case.organ.name}自动生成并加盖电子印章（GB/T 38540），同时附有 PDF 数字签名；"
            f"办件编号 {case.number}。可在“我的办件”中下载电子签章文件并核验。")


def _issue(*, actor, case, kind: str, title: str, number: str, sections: list[Section]) -> SignedDocument:
    content = Content(title=title, number=number, addressee=f"{case.applicant_name}：", sections=sections,
                      organ_name=case.organ.name, date=timezone.localdate(), footer=_footer(case),
                      subject=f"{title} {case.number}", keywords=f"{kind} {case.number}")
    return services.document_issue(actor=actor, kind=kind, organ=case.organ, content=content, case=case,
                                   filename=f"{kind}-{case.number}.pdf", properties=f"{kind};case={case.number}")


def _basics(case) -> list[tuple[str, str]]:
    return [("办件编号", case.number), ("申请事项", case.item_name), ("申请人", case.applicant_name),
            ("收件日期", chinese_date(timezone.localtime(case.received_at).date()))]


def acceptance_notice(*, actor, case) -> SignedDocument:
    deemed = ("因未在收到申请材料之日起五个工作日内作出受理决定或一次性告知补正，依照该法第三十二条，"
              "自收到申请材料之日起即为受理。") if case.acceptance_deemed else ""
    rows = _basics(case) + [("受理日期", chinese_date(case.accepted_on)),
                            ("承诺办结日期", chinese_date(case.due_date) if case.due_date else "—"),
                            ("法定办结日期", chinese_date(case.legal_due_date) if case.legal_due_date else "—"),
                            ("查询码", case.query_code)]
    text = (f"你（单位）提出的“{case.item_name}”申请，经审查，申请材料齐全、符合法定形式，"
            f"依照{LAW}第三十二条的规定，决定予以受理。{deemed}")
    return _issue(actor=actor, case=case, kind=Kind.ACCEPTANCE_NOTICE, title="受理通知书",
                  number=case.acceptance_notice_number,
                  sections=[Section(paragraphs=[text], rows=rows),
                            Section(paragraphs=["办理进度可凭办件编号和查询码在线查询。"])])


def non_acceptance_notice(*, actor, case, number: str, reason: str, legal_basis: str) -> SignedDocument:
    text = f"你（单位）提出的“{case.item_name}”申请，经审查，决定不予受理。"
    return _issue(actor=actor, case=case, kind=Kind.NON_ACCEPTANCE_NOTICE, title="不予受理通知书", number=number,
                  sections=[Section(paragraphs=[text], rows=_basics(case)),
                            Section(heading="不予受理的理由", paragraphs=[reason.strip()]),
                            Section(heading="法律依据", paragraphs=[legal_basis.strip()]),
                            Section(paragraphs=[REMEDY])])


def correction_notice(*, actor, case, notice) -> SignedDocument:
    rows = []
    for i, item in enumerate(notice.items.select_related("application_material__material"), 1):
        what = item.application_material.material.name if item.application_material_id else item.form_field
        rows.append((f"{i}. {what}", item.problem))
    text = (f"你（单位）提出的“{case.item_name}”申请，申请材料不齐全或者不符合法定形式。依照{LAW}第三十二条的规定，"
            f"现一次性告知需要补正的全部内容（共 {len(rows)} 项）。请于 {chinese_date(notice.deadline)} 前一次性补正；"
            "逾期未补正的，视为放弃申请，办件终止。")
    return _issue(actor=actor, case=case, kind=Kind.CORRECTION_NOTICE, title="补正材料通知书（一次性告知）",
                  number=notice.notice_number,
                  sections=[Section(paragraphs=[text], rows=_basics(case)),
                            Section(heading="需要补正的内容", rows=rows)])


def special_procedure_number(case, procedure) -> str:
    return f"特别程序〔{procedure.started_on:%Y}〕{case.number[-12:]}-{procedure.pk}"


def special_procedure_notice(*, actor, case, procedure) -> SignedDocument:
    number = special_procedure_number(case, procedure)
    rows = _basics(case) + [("特别程序", in_chinese(SpecialProcedureKind(procedure.kind).label)),
                            ("开始日期", chinese_date(procedure.started_on)),
                            ("预计所需时间", f"{procedure.expected_days} 个工作日"),
                            ("预计办结日期", chinese_date(case.due_date) if case.due_date else "—")]
    sections = [Section(paragraphs=[f"你（单位）申请的“{case.item_name}”，需要进行{in_chinese(SpecialProcedureKind(procedure.kind).label)}。"
                                    f"依照{LAW}第四十五条的规定，所需时间不计算在办理期限内，现书面告知如下。"],
                        rows=rows),
                Section(heading="原因", paragraphs=[procedure.reason])]
    if procedure.legal_basis:
        sections.append(Section(heading="依据", paragraphs=[procedure.legal_basis]))
    return _issue(actor=actor, case=case, kind=Kind.SPECIAL_PROCEDURE_NOTICE, title="特别程序告知书", number=number,
                  sections=sections)


def decision(*, actor, case, decision) -> SignedDocument:
    grant = decision.outcome == "grant"
    title = "准予行政许可决定书" if grant else "不予行政许可决定书"
    verdict = (f"经审查，你（单位）的申请符合法定条件、标准，依照{LAW}第三十八条的规定，决定准予行政许可。" if grant else
               f"经审查，你（单位）的申请不符合法定条件、标准，依照{LAW}第三十八条的规定，决定不予行政许可。")
    sections = [Section(paragraphs=[f"你（单位）提出的“{case.item_name}”申请，本机关已于"
                                    f"{chinese_date(case.accepted_on) if case.accepted_on else '—'}受理。{verdict}"],
                        rows=_basics(case) + [("决定日期", chinese_date(timezone.localtime(decision.decided_at).date()))]),
                Section(heading="理由", paragraphs=[decision.reasons]),
                Section(heading="法律依据", paragraphs=[decision.legal_basis])]
    if not grant:
        sections.append(Section(paragraphs=[REMEDY]))
    return _issue(actor=actor, case=case, kind=Kind.DECISION, title=title, number=decision.document_number,
                  sections=sections)
