import json

from django import template

from govhall.core.permissions import has_permission

from ..audit_labels import action_label

register = template.Library()


@register.simple_tag(takes_context=True)
def can(context, code: str) -> bool:
    """``{% can "core.audit.view" as can_audit %}``: whether the current user holds a permission."""
    request = context.get("request")
    return bool(request) and has_permission(request.user, code)


@register.filter
def as_json(value) -> str:
    """Audit before/after data, readable: indented JSON with Chinese left as it is."""
    return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True, default=str)


@register.filter
def audit_action(code: str) -> str:
    """The readable label of an audit action (console/audit_labels.py)."""
    return action_label(code)
