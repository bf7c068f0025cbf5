from functools import cache

from . import selectors


def inbox(request):
    """``inbox_unread``: the logged-in user's unread message count, counted only if a template uses it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"inbox_unread": cache(lambda: selectors.unread_count(user))}
