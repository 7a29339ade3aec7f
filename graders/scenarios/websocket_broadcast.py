"""websocket-broadcast: `def make_app() -> tornado.web.Application` with a chat at /chat.

The grader opens WebSocket connections to the student's app (grader-side client, `ws_client`),
sends text messages at chosen virtual instants and reads what every client receives, with the
virtual time each message arrived. Each scenario runs on a fresh child: a chat server keeps its
clients in module state, and a scenario must not see the previous one's.

Checks: broadcast (every message reaches every connected client exactly once, the sender and a
client that never speaks included, and nothing else), order (every client receives the messages
in the order the server received them: the send order, and one same order for messages sent at
the same instant), cleanup (after one client closes cleanly and another drops its connection,
the others' messages still reach every remaining client and no sender is disconnected), slow-client
(one client stops reading until its buffer is full: the others still get every message at the
instant it was sent, and the slow one gets them all once it reads again).
"""

from __future__ import annotations

import itertools
import random
import secrets
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from ..engine.model import Call
from ..engine.run import Run
from ..engine.scenario import Scenario
from .tornado_site import app_failed, build, run_until, serve
from .ws_client import WsClient

FN = "make_app"
EPSILON = 1e-9
SLOW_BUFFER = 4096  # the slow client's send buffer in the child: full after a few messages
SLOW_STOPS, SLOW_RESUMES = 0.2, 10.0


@dataclass
class Chat:
    scenario: Scenario
    app: Call
    clients: dict[str, WsClient]
    sent: list[tuple[float, str, str]]  # (virtual time, sender, text), in send order

    def say(self, at: float, sender: str, text: str) -> None:
        self.sent.append((at, sender, text))
        self.scenario.at(at, lambda: self.clients[sender].send(text))

    def texts(self) -> list[str]:
        return [text for _at, _sender, text in self.sent]


def _chat(run: Run, name: str, names: str, *, slow: str = "") -> Chat:
    scenario = run.scenario(name, fresh=True)
    app = build(scenario, FN)
    clients = {}
    for client_name in names:
        buffer = SLOW_BUFFER if client_name == slow else None
        client = WsClient(serve(scenario, send_buffer=buffer), client_name)
        scenario.at(0.0, client.open)
        clients[client_name] = client
    return Chat(scenario, app, clients, [])


def _token(rng: random.Random, sender: str, k: int, size: int = 0) -> str:
    filler = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz ") for _ in range(size))
    return f"{sender}{k}:{secrets.token_hex(6)}:{filler}"


def _finish(run: Run, check: str, chat: Chat, end: float) -> bool:
    """Run to `end`, parse what every client got; False after failing `check`."""
    run_until(chat.scenario, end)
    if app_failed(run, check, chat.scenario, chat.app):
        return False
    for client in chat.clients.values():
        client.read()
    for name, client in chat.clients.items():
        if client.broken:
            run.failed(check, "ws-broken", client=name)
            return False
        if not client.accepted:
            run.failed(check, "ws-handshake", client=name, status=client.status or "none")
            return False
    return True


def _compare(chat: Chat, names: str) -> tuple[str, dict[str, object]] | None:
    """Why the clients `names` did not each get every sent message exactly once, or None."""
    expected = Counter(chat.texts())
    for name in names:
        client = chat.clients[name]
        got = Counter(client.texts())
        for index, text in enumerate(chat.texts()):
            if got[text] == 0:
                sender = chat.sent[index][1]
                if client.closed_by_server:
                    return "dropped", {"client": name}
                return "missing", {"client": name, "k": index + 1, "sender": sender}
            if got[text] > 1:
                return "duplicate", {"client": name, "k": index + 1, "times": got[text]}
        if any(text not in expected for text in got):
            return "unknown", {"client": name}
    return None


def grade(run: Run) -> None:
    broadcast(run)
    order(run)
    cleanup(run)
    slow_client(run)


def broadcast(run: Run) -> None:
    rng = run.random("broadcast")
    chat = _chat(run, "broadcast", "ABCD")
    for k, (at, sender) in enumerate(((0.5, "A"), (1.0, "B"), (1.5, "C"), (2.0, "A")), 1):
        chat.say(at, sender, _token(rng, sender, k, rng.randrange(5, 40)))
    if not _finish(run, "broadcast", chat, 3.0):
        return
    wrong = _compare(chat, "ABCD")
    if wrong is not None:
        run.failed("broadcast", wrong[0], **wrong[1])
        return
    run.passed("broadcast", n=len(chat.sent), clients=len(chat.clients))


def order(run: Run) -> None:
    rng = run.random("order")
    chat = _chat(run, "order", "ABC")
    plan = [(0.5, "A"), (0.6, "B"), (0.7, "C"), (0.8, "A"), (1.0, "A"), (1.0, "B"), (1.0, "C")]
    plan += [(1.2, "B"), (1.4, "C"), (1.4, "A")]
    for k, (at, sender) in enumerate(plan, 1):
        chat.say(at, sender, _token(rng, sender, k, rng.randrange(0, 30)))
    if not _finish(run, "order", chat, 2.0):
        return
    if _compare(chat, "ABC") is not None:
        run.failed("order", "not-correct")
        return
    number = {text: k for k, text in enumerate(chat.texts(), 1)}
    sent_at = {text: at for at, _sender, text in chat.sent}
    reference = chat.clients["A"].texts()
    for name, client in chat.clients.items():
        texts = client.texts()
        for earlier, later in itertools.pairwise(texts):
            if sent_at[later] < sent_at[earlier] - EPSILON:
                run.failed(
                    "order", "reordered", client=name, got=number[earlier], before=number[later]
                )
                return
        if texts != reference:
            first = next(i for i, (a, b) in enumerate(zip(texts, reference, strict=True)) if a != b)
            run.failed(
                "order",
                "disagree",
                client=name,
                k=number[texts[first]],
                other=number[reference[first]],
            )
            return
    run.passed("order", n=len(chat.sent))


def cleanup(run: Run) -> None:
    rng = run.random("cleanup")
    chat = _chat(run, "cleanup", "ABCD")
    chat.say(0.5, "C", _token(rng, "C", 1))
    leaving: list[tuple[float, Callable[[], None]]] = [
        (1.0, chat.clients["C"].close),
        (1.5, chat.clients["D"].drop),
    ]
    for at, action in leaving:
        chat.scenario.at(at, action)
    after = [(2.0, "A"), (2.5, "B"), (3.0, "A")]
    for k, (at, sender) in enumerate(after, 2):
        chat.say(at, sender, _token(rng, sender, k))
    if not _finish(run, "cleanup", chat, 4.0):
        return
    for name in "AB":
        if chat.clients[name].closed_by_server:
            run.failed("cleanup", "sender-dropped", client=name)
            return
    got = {name: chat.clients[name].texts() for name in "AB"}
    for name in "AB":
        for k, text in enumerate(chat.texts(), 1):
            if got[name].count(text) != 1:
                run.failed("cleanup", "missing", client=name, k=k)
                return
    run.passed("cleanup")


def slow_client(run: Run) -> None:
    rng = run.random("slow-client")
    chat = _chat(run, "slow-client", "ABCS", slow="S")
    slow = chat.clients["S"]
    chat.scenario.at(SLOW_STOPS, slow.stop_reading)
    chat.scenario.at(SLOW_RESUMES, slow.resume_reading)
    senders = "ABC"
    for k in range(1, 31):
        at = round(0.5 + 0.1 * k, 3)
        sender = senders[k % 3]
        chat.say(at, sender, _token(rng, sender, k, 2000))
    if not _finish(run, "slow-client", chat, SLOW_RESUMES + 2.0):
        return
    start = chat.scenario.start_clock
    params = {"stopped": f"{SLOW_STOPS:g}", "resumed": f"{SLOW_RESUMES:g}"}
    for name in senders:
        client = chat.clients[name]
        arrived = {m.text: m.at - start for m in client.messages}
        for at, _sender, text in chat.sent:
            if text not in arrived:
                run.failed("slow-client", "lost", client=name, **params)
                return
            if arrived[text] > at + EPSILON:
                run.failed("slow-client", "delayed", **params)
                return
    if slow.texts() != chat.texts():
        run.failed("slow-client", "slow-missing", **params)
        return
    run.passed("slow-client", n=len(chat.sent), **params)
