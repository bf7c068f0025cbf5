from django.http import JsonResponse

from .errors import error_body


def not_found(request, *args, **kwargs):
    return JsonResponse(error_body("not_found", "未找到请求的资源", "not found"), status=404,
                        json_dumps_params={"ensure_ascii": False})
