"""Units a numeric answer may carry, and conversion between compatible ones.

Each unit is (dimension, factor to the dimension's base). KB, MB, GB are decimal (as `docker
images` prints them); KiB, MiB, GiB binary. Unknown units still work, but only as themselves.
"""

from __future__ import annotations

__all__ = ["UNITS", "UnitError", "convert", "lookup_unit"]

UNITS: dict[str, tuple[str, float]] = {
    # time, base: seconds
    "ns": ("time", 1e-9),
    "us": ("time", 1e-6),
    "µs": ("time", 1e-6),
    "μs": ("time", 1e-6),
    "ms": ("time", 1e-3),
    "s": ("time", 1.0),
    "sec": ("time", 1.0),
    "min": ("time", 60.0),
    "h": ("time", 3600.0),
    "纳秒": ("time", 1e-9),
    "微秒": ("time", 1e-6),
    "毫秒": ("time", 1e-3),
    "秒": ("time", 1.0),
    "分钟": ("time", 60.0),
    "小时": ("time", 3600.0),
    # data, base: bytes
    "B": ("data", 1.0),
    "KB": ("data", 1e3),
    "kB": ("data", 1e3),
    "MB": ("data", 1e6),
    "GB": ("data", 1e9),
    "KiB": ("data", 1024.0),
    "MiB": ("data", 1024.0**2),
    "GiB": ("data", 1024.0**3),
    "字节": ("data", 1.0),
    "bit": ("data", 0.125),
    "Kbit": ("data", 125.0),
    "Mbit": ("data", 125e3),
    # rates, base: per second
    "req/s": ("rate", 1.0),
    "rps": ("rate", 1.0),
    "qps": ("rate", 1.0),
    "Hz": ("rate", 1.0),
    "kHz": ("rate", 1e3),
    "req/min": ("rate", 1 / 60),
    # plain ratios
    "%": ("ratio", 0.01),
}
_FOLDED: dict[str, list[str]] = {}
for _name in UNITS:
    _FOLDED.setdefault(_name.casefold(), []).append(_name)


class UnitError(ValueError):
    """The units are unknown to each other or of different kinds (time vs data)."""


def lookup_unit(name: str) -> str | None:
    """The canonical spelling of a unit: exact first, then case-insensitive when unambiguous."""
    name = name.strip()
    if name in UNITS:
        return name
    candidates = _FOLDED.get(name.casefold(), [])
    return candidates[0] if len(candidates) == 1 else None


def convert(value: float, unit: str, target: str) -> float:
    """`value` in `unit` expressed in `target`. Raises UnitError.

    Usage: `convert(1.2, "s", "ms") == 1200.0`
    """
    if unit == target:
        return value
    a, b = UNITS.get(unit), UNITS.get(target)
    if a is None or b is None:
        raise UnitError(f"cannot convert {unit} to {target}")
    if a[0] != b[0]:
        raise UnitError(f"{unit} ({a[0]}) cannot be converted to {target} ({b[0]})")
    return value * a[1] / b[1]
