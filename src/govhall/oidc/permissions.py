"""Permission codes of the OpenID Connect provider."""

from govhall.core.permissions import register

CLIENT_MANAGE = register("oidc.client.manage", "管理统一身份认证接入平台", "register and manage OIDC/OAuth clients")
# Views protected by an OAuth 2.0 bearer token (their own scope check), not by the session.
BEARER = register("oidc.bearer", "持有访问令牌", "OAuth 2.0 bearer token with the operation's scope")
