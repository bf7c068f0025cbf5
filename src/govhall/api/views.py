from .errors import error_response


def not_found(request, *args, **kwargs):
    return error_response(404, "not_found", "未找到请求的资源", "not found")
