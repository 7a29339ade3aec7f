"""tornado-handler: slow requests must never hold up fast ones.

Write `make_app(backend)`: GET /slow/<n> awaits `backend.slow(n)` and writes its result; GET
/fast writes "ok" at once. See the statement for every rule.
"""

import tornado.web


def make_app(backend) -> tornado.web.Application:
    raise NotImplementedError("route /slow/<n> and /fast to handlers that never block")
