"""``{% case_documents case "applicant" %}`` / ``"staff"``: the case's sealed documents with their
download links (used by the applicant's and the workbench's case pages), and a note while documents or
the licence of an action that has happened are still being prepared (they follow its domain event)."""

from django import template

from govhall.documents import selectors

register = template.Library()


@register.inclusion_tag("documents/_case_documents.html")
def case_documents(case, audience: str = "applicant"):
    return {"case": case, "documents": selectors.case_documents(case), "staff": audience == "staff",
            "preparing": selectors.being_prepared(case)}
