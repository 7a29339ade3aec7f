"""`quizloop remote login` and `whoami`: signing in once and keeping the token in a profile."""

from __future__ import annotations

import socket
import sys
from typing import Annotated

import typer

from api.client import Client, Forbidden, resolve_profile, save_profile
from api.client.config import DEFAULT_PROFILE
from api.i18n import Text
from api.remote.app import Remote, connect, guarded, remote_app, say
from api.remote.output import as_json, err, table

SIGNED_IN = Text(
    en="Signed in to {url} as {email} ({role}).", zh="已登录 {url}，账号 {email}（{role}）。"
)
SAVED = Text(
    en="Token saved in {path} as profile '{profile}'.",
    zh="令牌已保存到 {path}，配置名为“{profile}”。",
)
SHORT_LIVED = Text(
    en="Students have no personal API tokens: this sign-in lasts {minutes} minutes; run "
    "`quizloop remote login` again after that.",
    zh="学生没有个人 API 令牌：本次登录 {minutes} 分钟内有效，之后请重新运行 "
    "`quizloop remote login`。",
)
WHOAMI_HEADERS = Text(en="server,email,name,role", zh="服务器,邮箱,姓名,身份")
ROLES = {
    "instructor": Text(en="instructor", zh="教师"),
    "student": Text(en="student", zh="学生"),
}


def _password() -> str:
    if sys.stdin.isatty():
        return str(typer.prompt("Password / 密码", hide_input=True))
    # Piped: the first line is the password (`echo "$PW" | quizloop remote login ...`).
    return sys.stdin.readline().rstrip("\r\n")


@remote_app.command()
@guarded
def login(
    ctx: typer.Context,
    email: Annotated[str, typer.Option(prompt="Email / 邮箱", help="Your account's email.")],
    save_as: Annotated[
        str | None, typer.Option("--save-as", help="Profile name (default: --profile or default).")
    ] = None,
    days: Annotated[
        int, typer.Option(min=1, max=3650, help="Days the personal API token lasts.")
    ] = 90,
    make_default: Annotated[
        bool, typer.Option("--default", help="Make it the default profile.")
    ] = False,
) -> None:
    """Sign in with your password and keep a token in the config file (0600): a personal
    API token for instructors, a short-lived sign-in for students."""
    remote: Remote = ctx.find_object(Remote) or Remote(None, None, None, "en", False)
    # The URL may come from --url, QUIZLOOP_URL or an existing profile.
    url = resolve_profile(remote.profile, url=remote.url, token="").url
    client = Client.login(url, email, _password(), lang=remote.lang)
    with client:
        me = client.me()
        try:
            token = client.create_api_token(
                f"quizloop remote on {socket.gethostname()}"[:100], expires_in_days=days
            ).token
        except Forbidden:  # students: keep the sign-in itself
            token = client.profile.token
            minutes = (client.token_expires_in or 0) // 60
            err(say(ctx, SHORT_LIVED.format(minutes=minutes)))
    name = save_as or remote.profile or DEFAULT_PROFILE
    path = save_profile(name, url=url, token=token, make_default=make_default)
    err(say(ctx, SIGNED_IN.format(url=url, email=me.email, role=say(ctx, ROLES[me.role]))))
    err(say(ctx, SAVED.format(path=path, profile=name)))


@remote_app.command()
@guarded
def whoami(ctx: typer.Context) -> None:
    """Who the token signs in as, on which server."""
    client, remote = connect(ctx)
    with client:
        me = client.me()
    if remote.json:
        as_json(me)
        return
    table(
        say(ctx, WHOAMI_HEADERS).split(","),
        [[client.url, me.email, me.full_name, say(ctx, ROLES[me.role])]],
    )
