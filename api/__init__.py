"""quizloop's web service: the FastAPI app, its tables, auth, and the `quizloop` CLI."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("quizloop")
except PackageNotFoundError:  # pragma: no cover - running from a checkout never installed
    __version__ = "0.0.0"
