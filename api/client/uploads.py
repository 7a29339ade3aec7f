"""Files the clients upload: rosters (CSV) and question banks (a folder, zipped on the fly,
or a ready zip / tar.gz archive).

Usage:
    upload = roster_upload("class.csv")           # ("class.csv", b"...", "text/csv")
    upload = bank_upload("questions/banks/async-backends")
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from api.client.calls import Upload
from api.client.errors import ConfigError

__all__ = ["bank_upload", "roster_upload"]

SKIPPED = frozenset({"__pycache__", ".git", ".hg", ".svn", ".DS_Store"})


def roster_upload(source: str | Path | bytes, name: str = "roster.csv") -> Upload:
    """A CSV roster from a path or its bytes."""
    if isinstance(source, bytes):
        return (name, source, "text/csv")
    path = Path(source)
    return (path.name, _read(path), "text/csv")


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror})") from None


def _zip_folder(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            relative = path.relative_to(folder)
            if SKIPPED & set(relative.parts) or not path.is_file() or path.is_symlink():
                continue
            archive.write(path, f"{folder.name}/{relative.as_posix()}")
    return buffer.getvalue()


def bank_upload(source: str | Path | bytes, name: str = "bank.zip") -> Upload:
    """A bank archive: a folder (zipped here; links and VCS folders left out), a .zip or
    .tar.gz file, or an archive's bytes."""
    if isinstance(source, bytes):
        return (name, source, "application/zip" if name.endswith(".zip") else "application/gzip")
    path = Path(source)
    if path.is_dir():
        if not (path / "bank.yaml").is_file():
            raise ConfigError(f"{path}: not a question bank (no bank.yaml in it)")
        return (f"{path.name}.zip", _zip_folder(path), "application/zip")
    kind = "application/zip" if path.suffix == ".zip" else "application/gzip"
    return (path.name, _read(path), kind)
