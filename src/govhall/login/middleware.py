"""Session generation check: ends sessions started before the user's last "log out everywhere".

Place directly after ``django.contrib.auth.middleware.AuthenticationMiddleware``. Costs one indexed
query per authenticated request. Sessions record the generation when they log in (signal in apps.py).
"""

from django.contrib.auth import SESSION_KEY, logout

from .services import GENERATION, current_generation


class SessionGenerationMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and SESSION_KEY in session:
            user_id = request.user.pk if request.user.is_authenticated else None
            if user_id is not None and session.get(GENERATION, 0) != current_generation(user_id):
                logout(request)
        return self.get_response(request)
