"""A Tornado Future with Tornado's set-unless-cancelled helpers."""

from tornado.concurrent import (
    Future,
    future_set_exception_unless_cancelled,
    future_set_result_unless_cancelled,
)


async def cook(kitchen, dish):
    fut = Future()
    ok = kitchen.start(
        dish,
        lambda m: future_set_result_unless_cancelled(fut, m),
        lambda e: future_set_exception_unless_cancelled(fut, e),
    )
    if not ok:
        raise RuntimeError("refused")
    return await fut
