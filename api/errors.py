"""quizloop's errors: one hierarchy, answered as RFC 9457 problem+json (see api/problems.py).

    QuizloopError (500 internal-error)
    ├── BadRequest (400)           MalformedBody
    ├── Unauthorized (401)         NotAuthenticated, InvalidCredentials, InvalidToken, TokenExpired
    ├── Forbidden (403)            InstructorOnly, AccountDisabled
    ├── NotFound (404)
    ├── Conflict (409)             EmailTaken
    ├── PayloadTooLarge (413)
    ├── ValidationFailed (422)     InvalidCsv
    ├── TooManyRequests (429)      LoginRateLimited
    └── ServiceUnavailable (503)

Each class has a stable `type` URI (`urn:quizloop:problem:<kind>`) clients may switch on, and a
title and detail in English and Chinese; the request's language picks one. Responses never
carry a stack trace: unexpected exceptions are logged with the request id and answered with a
bare 500.

Usage:
    raise NotFound(Text(en="No such quiz.", zh="没有这个测验。"))

    @router.get("/x", responses=problem_responses(NotFound))
"""

from __future__ import annotations

from typing import Any, ClassVar

from fastapi import Request
from pydantic import BaseModel

from api.i18n import Language, Text

__all__ = [
    "AccountDisabled",
    "BadRequest",
    "Conflict",
    "EmailTaken",
    "FieldError",
    "Forbidden",
    "InstructorOnly",
    "InvalidCredentials",
    "InvalidCsv",
    "InvalidToken",
    "LoginRateLimited",
    "MalformedBody",
    "MethodNotAllowed",
    "NotAuthenticated",
    "NotFound",
    "PayloadTooLarge",
    "Problem",
    "QuizloopError",
    "ServiceUnavailable",
    "TokenExpired",
    "TooManyRequests",
    "Unauthorized",
    "ValidationFailed",
    "problem_responses",
]

PROBLEM_TYPE_PREFIX = "urn:quizloop:problem:"


class FieldError(BaseModel):
    """One invalid field: where (`loc`), what is wrong (`msg`) and a stable `type`."""

    loc: list[str | int]
    msg: str
    type: str
    line: int | None = None


class Problem(BaseModel):
    """The RFC 9457 error envelope every error response carries."""

    type: str
    title: str
    status: int
    detail: str
    instance: str
    request_id: str | None = None
    errors: list[FieldError] | None = None


class QuizloopError(Exception):
    """Base of every error quizloop answers with; unexpected exceptions become this, too."""

    status: ClassVar[int] = 500
    kind: ClassVar[str] = "internal-error"
    title: ClassVar[Text] = Text(en="Internal server error", zh="服务器内部错误")
    default_detail: ClassVar[Text] = Text(
        en="Something went wrong on our side. Please try again; if it persists, report the "
        "request id.",
        zh="服务器出错了。请重试；若问题持续，请报告请求编号。",
    )

    def __init__(
        self,
        detail: Text | None = None,
        *,
        errors: list[FieldError] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.detail = detail or self.default_detail
        self.errors = errors
        self.headers = dict(headers or {})
        super().__init__(self.detail.en)

    @classmethod
    def type_uri(cls) -> str:
        return PROBLEM_TYPE_PREFIX + cls.kind

    def to_problem(self, request: Request, lang: Language) -> Problem:
        return Problem(
            type=self.type_uri(),
            title=self.title[lang],
            status=self.status,
            detail=self.detail[lang],
            instance=request.url.path,
            request_id=getattr(request.state, "request_id", None),
            errors=self.errors,
        )


class BadRequest(QuizloopError):
    status, kind = 400, "bad-request"
    title = Text(en="Bad request", zh="请求有误")
    default_detail = Text(en="The request could not be understood.", zh="无法理解该请求。")


class MalformedBody(BadRequest):
    kind = "malformed-body"
    title = Text(en="Malformed request body", zh="请求体格式错误")
    default_detail = Text(en="The request body is not valid JSON.", zh="请求体不是合法的 JSON。")


class Unauthorized(QuizloopError):
    status, kind = 401, "unauthorized"
    title = Text(en="Not authenticated", zh="未认证")
    default_detail = Text(en="Sign in to continue.", zh="请先登录。")

    def __init__(self, detail: Text | None = None, **kwargs: Any) -> None:
        super().__init__(detail, **kwargs)
        self.headers.setdefault("WWW-Authenticate", "Bearer")


class NotAuthenticated(Unauthorized):
    kind = "not-authenticated"
    default_detail = Text(
        en="This needs a bearer token (Authorization: Bearer ...).",
        zh="此操作需要持有者令牌（Authorization: Bearer ...）。",
    )


class InvalidCredentials(Unauthorized):
    kind = "invalid-credentials"
    title = Text(en="Invalid credentials", zh="凭据无效")
    default_detail = Text(en="Wrong email or password.", zh="邮箱或密码错误。")


class InvalidToken(Unauthorized):
    kind = "invalid-token"
    title = Text(en="Invalid token", zh="令牌无效")
    default_detail = Text(en="The token is not valid. Sign in again.", zh="令牌无效，请重新登录。")


class TokenExpired(Unauthorized):
    kind = "token-expired"
    title = Text(en="Token expired", zh="令牌已过期")
    default_detail = Text(
        en="Your session has expired. Sign in again.", zh="会话已过期，请重新登录。"
    )


class Forbidden(QuizloopError):
    status, kind = 403, "forbidden"
    title = Text(en="Forbidden", zh="禁止访问")
    default_detail = Text(en="You may not do this.", zh="你无权执行此操作。")


class InstructorOnly(Forbidden):
    kind = "instructor-only"
    default_detail = Text(en="Only instructors may do this.", zh="只有教师可以执行此操作。")


class AccountDisabled(Forbidden):
    kind = "account-disabled"
    title = Text(en="Account disabled", zh="账号已停用")
    default_detail = Text(
        en="This account is disabled. Ask your instructor.", zh="此账号已停用，请联系教师。"
    )


class NotFound(QuizloopError):
    status, kind = 404, "not-found"
    title = Text(en="Not found", zh="未找到")
    default_detail = Text(en="Nothing exists at this address.", zh="该地址不存在。")


class MethodNotAllowed(QuizloopError):
    status, kind = 405, "method-not-allowed"
    title = Text(en="Method not allowed", zh="不支持该方法")
    default_detail = Text(
        en="This address does not accept this method.", zh="该地址不支持此请求方法。"
    )


class Conflict(QuizloopError):
    status, kind = 409, "conflict"
    title = Text(en="Conflict", zh="冲突")
    default_detail = Text(en="This conflicts with the current state.", zh="该操作与当前状态冲突。")


class EmailTaken(Conflict):
    kind = "email-taken"
    title = Text(en="Email already registered", zh="邮箱已被注册")
    default_detail = Text(en="An account with this email already exists.", zh="该邮箱已有账号。")


class PayloadTooLarge(QuizloopError):
    status, kind = 413, "payload-too-large"
    title = Text(en="Request body too large", zh="请求体过大")
    default_detail = Text(en="The request body is too large.", zh="请求体过大。")


class ValidationFailed(QuizloopError):
    status, kind = 422, "validation-failed"
    title = Text(en="Invalid request", zh="请求数据无效")
    default_detail = Text(
        en="Some fields are invalid; see `errors`.", zh="部分字段无效，详见 `errors`。"
    )


class InvalidCsv(ValidationFailed):
    kind = "invalid-csv"
    title = Text(en="Invalid CSV file", zh="CSV 文件无效")
    default_detail = Text(
        en="The file has errors; nothing was imported. See `errors` for each line.",
        zh="文件有错误，未导入任何内容。各行错误见 `errors`。",
    )


class TooManyRequests(QuizloopError):
    status, kind = 429, "too-many-requests"
    title = Text(en="Too many requests", zh="请求过于频繁")
    default_detail = Text(en="Slow down and try again later.", zh="请稍后再试。")

    def __init__(self, detail: Text | None = None, *, retry_after: int, **kwargs: Any) -> None:
        super().__init__(detail, **kwargs)
        self.headers["Retry-After"] = str(retry_after)


class LoginRateLimited(TooManyRequests):
    kind = "login-rate-limited"
    default_detail = Text(
        en="Too many failed sign-ins. Try again later.", zh="登录失败次数过多，请稍后再试。"
    )


class ServiceUnavailable(QuizloopError):
    status, kind = 503, "service-unavailable"
    title = Text(en="Service unavailable", zh="服务不可用")
    default_detail = Text(en="The service cannot answer right now.", zh="服务暂时无法响应。")


def problem_responses(*errors: type[QuizloopError]) -> dict[int | str, dict[str, Any]]:
    """The `responses=` entry of a route that may raise `errors` (for the OpenAPI schema)."""
    by_status: dict[int, list[type[QuizloopError]]] = {}
    for error in errors:
        by_status.setdefault(error.status, []).append(error)
    return {
        status: {
            "model": Problem,
            "description": "; ".join(f"{e.type_uri()} ({e.title.en})" for e in group),
        }
        for status, group in sorted(by_status.items())
    }


# Chinese for the pydantic error types a student can actually trigger; others stay English.
