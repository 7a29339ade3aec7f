"""Banks: archives imported as immutable, content-hashed versions (idempotent; a changed bank
under the same version refused), hostile archives refused, browsing and previews, and
`quizloop bank import`."""

from __future__ import annotations

import io
import shutil
import tarfile
import zipfile
from pathlib import Path

import httpx2 as httpx
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select
from typer.testing import CliRunner

from api.banks.archive import MAX_MEMBERS
from api.banks.models import BankVersion
from api.banks.service import SHIPPED_BANK
from tests.api.classroom import Classroom
from tests.api.problems import assert_problem


def zip_folder(folder: Path, prefix: str = "bank/") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                archive.write(path, prefix + str(path.relative_to(folder)))
    return buffer.getvalue()


def tar_folder(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                archive.add(path, str(path.relative_to(folder)))
    return buffer.getvalue()


@pytest.fixture(scope="module")
def small_bank(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the shipped bank reduced to its docker questions (quick to validate)."""
    folder = tmp_path_factory.mktemp("bank") / "small"
    shutil.copytree(SHIPPED_BANK, folder, ignore=shutil.ignore_patterns("__pycache__"))
    for topic in ("ioloop", "microservices", "sync-async", "tornado"):
        shutil.rmtree(folder / topic)
    manifest = folder / "bank.yaml"
    manifest.write_text(
        manifest.read_text().replace("id: async-backends", "id: small"), encoding="utf-8"
    )
    return folder


def upload(
    client: TestClient, headers: dict[str, str], data: bytes, name: str = "b.zip"
) -> httpx.Response:
    return client.post(
        "/api/v1/banks", files={"file": (name, data, "application/octet-stream")}, headers=headers
    )


def test_an_archive_imports_once_and_again_is_a_no_op(
    client: TestClient, instructor_headers: dict[str, str], small_bank: Path, session: Session
) -> None:
    first = upload(client, instructor_headers, zip_folder(small_bank))
    assert first.status_code == 201, first.text
    version = first.json()["version"]
    assert (version["bank"], version["version"], version["question_count"]) == (
        "small",
        "1.0.0",
        28,
    )
    assert version["topics"] == {"docker": 28}
    again = upload(client, instructor_headers, tar_folder(small_bank), "b.tar.gz")
    assert again.status_code == 200, again.text
    assert again.json()["created"] is False
    assert again.json()["version"]["id"] == version["id"]
    assert session.exec(select(func.count()).select_from(BankVersion)).one() == 1


def test_changed_content_under_the_same_version_is_refused(
    client: TestClient, instructor_headers: dict[str, str], small_bank: Path, tmp_path: Path
) -> None:
    assert upload(client, instructor_headers, zip_folder(small_bank)).status_code == 201
    changed = tmp_path / "changed"
    shutil.copytree(small_bank, changed)
    question = next((changed / "docker").glob("*.yaml"))
    question.write_text(question.read_text().replace("difficulty: ", "difficulty: 5 #"), "utf-8")
    refused = upload(client, instructor_headers, zip_folder(changed))
    body = assert_problem(refused, 409, "bank-version-conflict")
    assert "raise `version`" in body["detail"]
    manifest = changed / "bank.yaml"
    manifest.write_text(manifest.read_text().replace("version: 1.0.0", "version: 1.1.0"), "utf-8")
    bumped = upload(client, instructor_headers, zip_folder(changed))
    assert bumped.status_code == 201
    assert bumped.json()["version"]["version"] == "1.1.0"


def test_an_invalid_bank_is_refused_with_every_problem(
    client: TestClient, instructor_headers: dict[str, str], small_bank: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(small_bank, broken)
    first, second = sorted((broken / "docker").glob("*.yaml"))[:2]
    first.write_text(first.read_text().replace("difficulty:", "difficulty: 9\nx_unknown:"), "utf-8")
    second.write_text(second.read_text().replace("type:", "typo:"), "utf-8")
    body = assert_problem(
        upload(client, instructor_headers, zip_folder(broken)), 422, "invalid-bank"
    )
    files = {error["loc"][1] for error in body["errors"]}
    assert {f"docker/{first.name}", f"docker/{second.name}"} <= files
    assert all(
        error["line"] for error in body["errors"] if error["loc"][1] == f"docker/{first.name}"
    )


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _tar_with(member: tarfile.TarInfo, data: bytes = b"") -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        archive.addfile(member, io.BytesIO(data) if data else None)
    return buffer.getvalue()


def _symlink() -> tarfile.TarInfo:
    info = tarfile.TarInfo("bank/notes.md")
    info.type = tarfile.SYMTYPE
    info.linkname = "/etc/passwd"
    return info


@pytest.mark.parametrize(
    ("archive", "message"),
    [
        pytest.param(_zip({"../evil.yaml": b"x"}), "path traversal", id="zip-dotdot"),
        pytest.param(_zip({"/etc/evil.yaml": b"x"}), "absolute", id="zip-absolute"),
        pytest.param(_zip({"a\\..\\evil": b"x"}), "backslash", id="zip-backslash"),
        pytest.param(_tar_with(_symlink()), "links", id="tar-symlink"),
        pytest.param(
            _zip({f"f{i}": b"" for i in range(MAX_MEMBERS + 1)}), "members", id="too-many"
        ),
        pytest.param(_zip({"big": b"\0" * (5 * 2**20)}), "larger than", id="zip-bomb-ish"),
        pytest.param(b"not an archive at all", "zip or tar.gz", id="garbage"),
        pytest.param(b"PK\x03\x04broken", "zip", id="broken-zip"),
        pytest.param(_zip({"readme.txt": b"hi"}), "bank.yaml", id="no-manifest"),
    ],
)
def test_hostile_or_broken_archives_are_refused(
    client: TestClient, instructor_headers: dict[str, str], archive: bytes, message: str
) -> None:
    body = assert_problem(upload(client, instructor_headers, archive), 422, "invalid-archive")
    assert any(message in error["msg"] for error in body["errors"]), body


def test_instructors_browse_filter_and_preview(classroom: Classroom) -> None:
    room = classroom
    version = room.call("GET", f"/bank-versions/{room.bank_version}", "prof").json()
    assert version["question_count"] == sum(version["types"].values())
    assert "gather-all" not in version["unknown_assignments"]
    page = room.call(
        "GET", f"/bank-versions/{room.bank_version}/questions", "prof",
        params={"topic": "docker", "type": "single_choice", "limit": 5},
    ).json()  # fmt: skip
    assert page["count"] > 5  # the bank has more docker single-choice questions than a page
    assert len(page["data"]) == 5
    assert all(q["topic"] == "docker" and q["type"] == "single_choice" for q in page["data"])
    tagged = room.call(
        "GET", f"/bank-versions/{room.bank_version}/questions", "prof",
        params={"tag": "epoll", "difficulty": 3},
    ).json()  # fmt: skip
    assert tagged["count"] > 0
    assert all("epoll" in q["tags"] and q["difficulty"] == 3 for q in tagged["data"])
    preview = room.call(
        "GET",
        f"/bank-versions/{room.bank_version}/questions/docker-cache-rebuild-count/preview",
        "prof",
        params={"seed": 7, "lang": "zh-CN"},
    ).json()
    again = room.call(
        "GET",
        f"/bank-versions/{room.bank_version}/questions/docker-cache-rebuild-count/preview",
        "prof",
        params={"seed": 7, "lang": "zh-CN"},
    ).json()
    assert preview == again
    assert preview["key"]["type"] == "numeric"
    assert list(preview["student"]["text"]) == ["zh-CN"]
    other = room.call(
        "GET",
        f"/bank-versions/{room.bank_version}/questions/docker-cache-rebuild-count/preview",
        "prof",
        params={"seed": 8},
    ).json()
    assert other["values"] != preview["values"] or other["key"] != preview["key"]
    missing = room.call("GET", f"/bank-versions/{room.bank_version}/questions/nope", "prof")
    assert_problem(missing, 404, "not-found")


def test_quizloop_bank_import_stores_a_folder_once(
    small_bank: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from api.cli import app
    from api.core.config import get_settings

    monkeypatch.setenv("QUIZLOOP_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("QUIZLOOP_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        first = runner.invoke(app, ["bank", "import", str(small_bank)])
        assert first.exit_code == 0, first.output
        assert "small 1.0.0: imported" in first.output
        archive = tmp_path / "small.zip"
        archive.write_bytes(zip_folder(small_bank))
        again = runner.invoke(app, ["bank", "import", str(archive)])
        assert again.exit_code == 0, again.output
        assert "already imported (same content)" in again.output
        missing = runner.invoke(app, ["bank", "import", str(tmp_path / "nope")])
        assert missing.exit_code == 1
        gift = runner.invoke(app, ["bank", "import", str(archive), "--format", "gift"])
        assert gift.exit_code == 2  # --format converts GIFT into a folder: it needs --out
    finally:
        get_settings.cache_clear()


def test_the_shipped_bank_is_imported_at_start_up_once(fresh_database_url: str) -> None:
    from api.banks.cli import import_shipped
    from api.core import migrations
    from api.core.db import create_db_engine

    engine = create_db_engine(fresh_database_url)
    try:
        migrations.upgrade(engine)
        import_shipped(engine)
        import_shipped(engine)  # a second start changes nothing
        with Session(engine) as session:
            versions = session.exec(select(BankVersion)).all()
        assert [(v.version, v.source, v.question_count) for v in versions] == [
            ("1.0.0", "shipped", versions[0].question_count)
        ]
        assert versions[0].question_count >= 150
    finally:
        engine.dispose()
