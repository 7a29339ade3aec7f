"""The problem+json envelope (RFC 9457): rendering quizloop's errors, and the handlers that
route every error the app can raise through it.

Framework errors (unknown paths, wrong methods, invalid payloads) become the matching
`api.errors` class, so clients see one format with stable `type`s. Unexpected exceptions are
logged with the request id and answered with a bare 500: never a stack trace.

Usage:
    install_error_handlers(app)
    return problem_response(PayloadTooLarge(), request)   # outside the app's handlers
"""

from __future__ import annotations

import logging
from functools import cache
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.errors import (
    BadRequest,
    Conflict,
    FieldError,
    Forbidden,
    MalformedBody,
    MethodNotAllowed,
    NotFound,
    PayloadTooLarge,
    QuizloopError,
    ServiceUnavailable,
    TooManyRequests,
    Unauthorized,
    ValidationFailed,
)
from api.i18n import Language, Text, negotiate_language

__all__ = ["PROBLEM_MEDIA_TYPE", "install_error_handlers", "problem_response"]

PROBLEM_MEDIA_TYPE = "application/problem+json"

logger = logging.getLogger("quizloop.errors")


_BY_STATUS: dict[int, type[QuizloopError]] = {
    cls.status: cls
    for cls in (
        BadRequest,
        Unauthorized,
        Forbidden,
        NotFound,
        MethodNotAllowed,
        Conflict,
        PayloadTooLarge,
        ValidationFailed,
        TooManyRequests,
        ServiceUnavailable,
    )
}


def problem_response(error: QuizloopError, request: Request) -> JSONResponse:
    """The problem+json response for `error`, in the request's language."""
    lang = negotiate_language(request)
    problem = error.to_problem(request, lang)
    problem.errors = _localized(problem.errors, lang)
    headers = dict(error.headers)
    if problem.request_id:
        headers["X-Request-ID"] = problem.request_id
    return JSONResponse(
        problem.model_dump(exclude_none=True),
        status_code=error.status,
        headers=headers,
        media_type=PROBLEM_MEDIA_TYPE,
    )


_FIELD_MESSAGES_ZH = {
    "missing": "缺少此字段",
    "extra_forbidden": "不允许的字段",
    "string_type": "应为字符串",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "float_parsing": "应为数字",
    "bool_parsing": "应为布尔值",
    "bool_type": "应为布尔值",
    "list_type": "应为列表",
    "dict_type": "应为对象",
    "model_attributes_type": "应为对象",
    "string_too_short": "太短",
    "string_too_long": "太长",
    "greater_than_equal": "数值太小",
    "less_than_equal": "数值太大",
    "enum": "不是允许的取值",
    "literal_error": "不是允许的取值",
    "value_error": "取值无效",
    "json_invalid": "不是合法的 JSON",
    "wrong_password": "不是你当前的密码",
    # roster (CSV) problems
    "encoding": "文件不是 UTF-8 文本",
    "csv": "不是合法的 CSV",
    "column": "表头列有误",
    "cells": "单元格数量与表头不符",
    "email": "不是合法的邮箱地址",
    "password": "密码长度不符合要求",
    "duplicate": "与前面的行重复",
    "email_taken": "该邮箱已有账号",
    "too_many_rows": "行数过多，请拆分文件",
    "empty": "文件中没有学生",
}


def _localized(errors: list[FieldError] | None, lang: Language) -> list[FieldError] | None:
    """`errors` with a Chinese lead-in for the kinds we know (the English detail follows)."""
    if errors is None or lang != "zh-CN":
        return errors
    return [
        error.model_copy(update={"msg": f"{_FIELD_MESSAGES_ZH[error.type]}（{error.msg}）"})
        if error.type in _FIELD_MESSAGES_ZH
        else error
        for error in errors
    ]


def _field_errors(exc: RequestValidationError) -> list[FieldError]:
    return [
        FieldError(
            loc=[part if isinstance(part, int) else str(part) for part in error["loc"]],
            msg=str(error.get("msg", "invalid")),
            type=str(error.get("type", "invalid")),
        )
        for error in exc.errors()
    ]


async def _on_quizloop_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, QuizloopError)
    return problem_response(exc, request)


async def _on_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    for error in exc.errors():
        if error.get("type") == "json_invalid":
            position = error["loc"][-1] if error["loc"] else "?"
            detail = Text(
                en=f"The request body is not valid JSON (at character {position}): "
                f"{error.get('ctx', {}).get('error', 'parse error')}.",
                zh=f"请求体不是合法的 JSON（第 {position} 个字符处）。",
            )
            return problem_response(MalformedBody(detail), request)
    return problem_response(ValidationFailed(errors=_field_errors(exc)), request)


@cache
def _error_for_status(status: int) -> type[QuizloopError]:
    """The error class answering a framework HTTPException with this status."""
    known = _BY_STATUS.get(status)
    if known is not None:
        return known
    phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    return type(
        f"HTTP{status}",
        (QuizloopError,),
        {
            "status": status,
            "kind": f"http-{status}",
            "title": Text(en=phrase, zh=phrase),
            "default_detail": Text(en=phrase + ".", zh=phrase + "."),
        },
    )


async def _on_http_exception(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    error = _error_for_status(exc.status_code)(headers=dict(exc.headers or {}))
    return problem_response(error, request)


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    logger.error(
        "unhandled %s on %s %s", type(exc).__name__, request.method, request.url.path, exc_info=exc
    )
    return problem_response(QuizloopError(), request)


def install_error_handlers(app: FastAPI) -> None:
    """Route every error `app` can raise through the problem+json envelope."""
    app.add_exception_handler(QuizloopError, _on_quizloop_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_exception)
    app.add_exception_handler(Exception, _on_unexpected)
