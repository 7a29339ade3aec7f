# assignment: tornado-handler
# expect: full
"""A probe with a correct app. tornado-handler hands the child sockets (the grader's client
connections): from inside a handler, with those sockets open, try the database, Redis, RabbitMQ,
DNS and the outside world, Unix sockets of the host, and a listening socket reachable from
outside. If anything gets through, /fast answers with what it reached instead of "ok"."""

import socket

import tornado.web


def probe():
    reached = []
    for host, port in (
        ("127.0.0.1", 5432),
        ("127.0.0.1", 6379),
        ("127.0.0.1", 5672),
        ("127.0.0.1", 8000),
        ("10.0.2.2", 80),
        ("8.8.8.8", 53),
    ):
        try:
            socket.create_connection((host, port), timeout=0.05).close()
            reached.append(f"{host}:{port}")
        except OSError:
            pass
    for path in (
        "/var/run/postgresql/.s.PGSQL.5432",
        "/run/postgresql/.s.PGSQL.5432",
        "/var/run/redis/redis.sock",
        "/tmp/.s.PGSQL.5432",
    ):
        try:
            s = socket.socket(socket.AF_UNIX)
            s.connect(path)
            reached.append(path)
        except OSError:
            pass
    try:
        socket.getaddrinfo("pypi.org", 443)
        reached.append("DNS")
    except OSError:
        pass
    # Every interface but loopback: a listening socket must not be reachable from the host.
    try:
        names = [name for _index, name in socket.if_nameindex() if name != "lo"]
        if names:
            reached.append("interfaces " + ",".join(names))
    except OSError:
        pass
    # The sockets the grader handed over lead only to the grader's own end.
    for fd in range(3, 64):
        try:
            s = socket.socket(fileno=fd)
        except OSError:
            continue
        try:
            if s.family in (socket.AF_INET, socket.AF_INET6):
                reached.append(f"inet fd {fd}")
        finally:
            s.detach()
    return reached


class SlowHandler(tornado.web.RequestHandler):
    async def get(self, n):
        self.write(await self.settings["backend"].slow(int(n)))


class FastHandler(tornado.web.RequestHandler):
    checked = None

    def get(self):
        if FastHandler.checked is None:
            FastHandler.checked = probe()
        self.write("reached: " + ", ".join(FastHandler.checked) if FastHandler.checked else "ok")


def make_app(backend):
    return tornado.web.Application(
        [(r"/slow/(\d+)", SlowHandler), (r"/fast", FastHandler)], backend=backend
    )
