# assignment: gather-all
# expect: full
"""A probe: tries the database, Redis, RabbitMQ, DNS and the outside world, TCP and Unix
sockets; raises if any connection works, else solves the assignment."""

import asyncio
import socket

REACHED = []
for host, port in (
    ("127.0.0.1", 5432),
    ("127.0.0.1", 6379),
    ("127.0.0.1", 5672),
    ("127.0.0.1", 8000),
    ("10.0.2.2", 80),
    ("8.8.8.8", 53),
    ("1.1.1.1", 443),
):
    try:
        socket.create_connection((host, port), timeout=0.2).close()
        REACHED.append(f"{host}:{port}")
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
        REACHED.append(path)
    except OSError:
        pass
try:
    socket.getaddrinfo("pypi.org", 443)
    REACHED.append("DNS")
except OSError:
    pass


async def fetch_all(urls, fetch):
    if REACHED:
        raise RuntimeError("reached: " + ", ".join(REACHED))
    return list(await asyncio.gather(*map(fetch, urls)))
