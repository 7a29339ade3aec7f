"""Unpacking an uploaded bank archive (zip or tar.gz) safely into a temporary folder.

Uploads are hostile until proven otherwise. Only regular files and folders are unpacked, each
written by us under the target folder: absolute names, `..`, links, devices and names that
would land outside are refused, as are archives with too many members or too many bytes once
inflated (counted as bytes arrive, not as the archive declares them: zip headers can lie).

Usage:
    with tempfile.TemporaryDirectory() as tmp:
        root = unpack_bank_archive(data, Path(tmp))   # the folder holding bank.yaml
"""

from __future__ import annotations

import io
import tarfile
import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import IO

from api.errors import FieldError, ValidationFailed
from api.i18n import Text

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_MEMBERS",
    "MAX_TOTAL_BYTES",
    "InvalidArchive",
    "unpack_bank_archive",
]

MAX_MEMBERS = 5000
MAX_FILE_BYTES = 4 * 1024 * 1024
MAX_TOTAL_BYTES = 64 * 1024 * 1024
MANIFEST = "bank.yaml"
_CHUNK = 64 * 1024


class InvalidArchive(ValidationFailed):
    kind = "invalid-archive"
    title = Text(en="Invalid bank archive", zh="题库压缩包无效")
    default_detail = Text(
        en="The archive cannot be imported; see `errors`. Nothing was imported.",
        zh="无法导入该压缩包，详见 `errors`。未导入任何内容。",
    )


def _refuse(member: str, message: str) -> InvalidArchive:
    return InvalidArchive(
        errors=[FieldError(loc=["body", "file", member], msg=message, type="archive")]
    )


def _safe_parts(name: str) -> tuple[str, ...]:
    """The path components of a member name, or InvalidArchive if it could escape."""
    if "\\" in name or "\0" in name:
        raise _refuse(name, "member names may not contain backslashes or NUL")
    path = PurePosixPath(name)
    if path.is_absolute():
        raise _refuse(name, "absolute paths are not allowed")
    parts = tuple(p for p in path.parts if p not in ("", "."))
    if ".." in parts:
        raise _refuse(name, "'..' in a member name is not allowed (path traversal)")
    return parts


class _Budget:
    def __init__(self) -> None:
        self.members = 0
        self.total = 0

    def member(self, name: str) -> None:
        self.members += 1
        if self.members > MAX_MEMBERS:
            raise _refuse(name, f"more than {MAX_MEMBERS} members")

    def copy(self, name: str, source: IO[bytes], target: Path) -> None:
        written = 0
        with target.open("xb") as out:
            while chunk := source.read(_CHUNK):
                written += len(chunk)
                self.total += len(chunk)
                if written > MAX_FILE_BYTES:
                    raise _refuse(name, f"a file larger than {MAX_FILE_BYTES // 1024} KiB")
                if self.total > MAX_TOTAL_BYTES:
                    raise _refuse(name, f"more than {MAX_TOTAL_BYTES // 2**20} MiB once unpacked")
                out.write(chunk)


def _place(root: Path, name: str, parts: tuple[str, ...]) -> Path:
    target = root.joinpath(*parts)
    # Every folder on the way was made by us (no links are ever unpacked), so this holds; it
    # is checked anyway because a mistake here would write anywhere on the host.
    if not target.resolve().is_relative_to(root.resolve()):
        raise _refuse(name, "the member would be written outside the bank folder")
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        raise _refuse(name, "this name appears twice in the archive")
    return target


def _zip_members(data: bytes) -> Iterator[tuple[str, bool, IO[bytes] | None]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise _refuse("*", f"not a readable zip file: {exc}") from None
    with archive:
        for info in archive.infolist():
            mode = (info.external_attr >> 16) & 0o170000
            if mode and mode not in (0o100000, 0o040000):  # a symlink or a device
                raise _refuse(info.filename, "links and special files are not allowed")
            if info.flag_bits & 0x1:
                raise _refuse(info.filename, "encrypted members are not supported")
            if info.is_dir():
                yield info.filename, True, None
                continue
            try:
                with archive.open(info) as source:
                    yield info.filename, False, source
            except (zipfile.BadZipFile, NotImplementedError, EOFError, OSError) as exc:
                raise _refuse(info.filename, f"cannot read this member: {exc}") from None


def _tar_members(data: bytes) -> Iterator[tuple[str, bool, IO[bytes] | None]]:
    try:
        archive = tarfile.open(fileobj=io.BytesIO(data), mode="r:gz")  # noqa: SIM115 (closed below)
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise _refuse("*", f"not a readable tar.gz file: {exc}") from None
    with archive:
        try:
            for info in archive:
                if info.isdir():
                    yield info.name, True, None
                elif info.isfile():
                    source = archive.extractfile(info)
                    assert source is not None  # a regular file always has content
                    yield info.name, False, source
                else:
                    raise _refuse(info.name, "links and special files are not allowed")
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise _refuse("*", f"the tar.gz file is damaged: {exc}") from None


def _bank_root(root: Path) -> Path:
    if (root / MANIFEST).is_file():
        return root
    entries = [p for p in root.iterdir() if not p.name.startswith((".", "__MACOSX"))]
    if len(entries) == 1 and entries[0].is_dir() and (entries[0] / MANIFEST).is_file():
        return entries[0]
    raise _refuse(
        MANIFEST, f"no {MANIFEST} at the top of the archive or in its single top-level folder"
    )


def unpack_bank_archive(data: bytes, target: Path) -> Path:
    """Unpack a zip or tar.gz bank archive into the empty folder `target`; return the folder
    holding bank.yaml. Raises InvalidArchive (422) naming the offending member."""
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        members = _zip_members(data)
    elif data.startswith(b"\x1f\x8b"):
        members = _tar_members(data)
    else:
        raise _refuse("*", "expected a zip or tar.gz archive")
    budget = _Budget()
    for name, is_dir, source in members:
        budget.member(name)
        parts = _safe_parts(name)
        if not parts:
            continue
        if is_dir:
            folder = target.joinpath(*parts)
            if not folder.resolve().is_relative_to(target.resolve()):
                raise _refuse(name, "the member would be written outside the bank folder")
            folder.mkdir(parents=True, exist_ok=True)
            continue
        assert source is not None
        budget.copy(name, source, _place(target, name, parts))
    return _bank_root(target)
