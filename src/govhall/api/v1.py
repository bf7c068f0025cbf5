"""GovHall public REST API v1 (mounted at /api/v1/). Field names are stable; changes are additive."""

from ninja import NinjaAPI, Swagger

from .archives import router as archives_router
from .cases import router as cases_router
from .catalog import router as catalog_router
from .errors import install_error_handlers
from .feedback import router as feedback_router
from .licenses import router as licenses_router
from .onboarding import router as onboarding_router
from .renderers import Utf8JSONRenderer
from .sharing import router as sharing_router
from .supervision import router as supervision_router
from .translog import router as translog_router

api = NinjaAPI(
    title="GovHall API",
    version="1",
    description=(
        "互联网政务服务平台公开接口（第1版）。事项目录与办事指南，供移动端、自助终端等渠道使用；"
        "登录用户的网上申请、办件查询与办理（每个操作一次调用）。\n\n"
        "Public API of the GovHall online government service platform: the catalogue of items and their "
        "guides, for other channels (mobile, kiosk); for logged-in users, applications, their cases and the "
        "organs' handling, one call per action (session cookie + CSRF token; see docs/api-cases.md). Errors: "
        "`{\"error\": {code, message_zh, message_en, field, problems}}`; 400 domain errors (every problem "
        "listed), 401, 403, 404, 409 conflicts (stale `expected_version`), 422 invalid requests."
    ),
    urls_namespace="api:v1",  # included under govhall.api.urls (app_name "api")
    # With "ninja" in INSTALLED_APPS the bundled files under /static/ninja/ are used, no CDN. No validator
    # badge: Swagger UI would load it from validator.swagger.io on any public host (and our CSP blocks it).
    docs=Swagger(settings={"validatorUrl": None}),
    docs_url="/docs",
    openapi_url="/openapi.json",
    renderer=Utf8JSONRenderer(),
)
install_error_handlers(api)
api.add_router("/catalog", catalog_router)
api.add_router("/catalog", onboarding_router)
api.add_router("", cases_router)
api.add_router("", feedback_router)
api.add_router("/licenses", licenses_router)
api.add_router("/sharing", sharing_router)
api.add_router("/translog", translog_router)
api.add_router("", archives_router)
api.add_router("/supervision", supervision_router)
