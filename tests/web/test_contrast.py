"""The stylesheet's colours meet WCAG 2.x contrast: text 4.5:1 on the surfaces it sits on
(1.4.3), the focus ring 3:1 on every surface of the stylesheet (1.4.11), and each ratio a
comment in `:root` writes down is the one its colour has (rounded down to one decimal)."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

STYLESHEET = Path(__file__).resolve().parents[2] / "api" / "web" / "static" / "app.css"
CSS = STYLESHEET.read_text(encoding="utf-8")
ROOT = re.search(r":root\s*\{(.*?)\n\}", CSS, re.DOTALL)
assert ROOT is not None, "app.css has no :root block"
# `--name: #rrggbb;` and the comment after it on the same line, if any.
PROPERTIES = {
    match["name"]: (match["value"].lower(), match["comment"] or "")
    for match in re.finditer(
        r"--(?P<name>[\w-]+):\s*(?P<value>#[0-9a-fA-F]{6})\s*;[ \t]*(?:/\*(?P<comment>.*?)\*/)?",
        ROOT[1],
    )
}
COLOURS = {name: value for name, (value, _) in PROPERTIES.items()}
TEXT = 4.5
NON_TEXT = 3.0


def luminance(colour: str) -> float:
    """Relative luminance of `#rrggbb` (WCAG 2.x)."""

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def contrast(one: str, other: str) -> float:
    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def resolve(value: str) -> str:
    """`#rrggbb` or `var(--name)` as `#rrggbb`."""
    var = re.fullmatch(r"var\(--([\w-]+)\)", value)
    return COLOURS[var[1]] if var else value.lower()


def surfaces() -> set[str]:
    """Every background the stylesheet paints that body text can sit on: the pale ones. A
    filled --accent button is not one (its text is --accent-ink; a ring goes around it)."""
    painted = {
        resolve(value)
        for value in re.findall(r"background(?:-color)?:\s*(#[0-9a-fA-F]{6}|var\(--[\w-]+\))", CSS)
    }
    return {colour for colour in painted if contrast(COLOURS["ink"], colour) >= TEXT}


def test_the_stylesheet_is_parsed() -> None:
    # A rename in app.css should fail here, not make the checks below vacuous.
    assert {"ink", "muted", "paper", "page", "accent", "accent-ink", "focus"} <= set(COLOURS)
    assert {COLOURS["paper"], COLOURS["page"], COLOURS["accent-soft"]} <= surfaces()
    assert COLOURS["accent"] not in surfaces()


@pytest.mark.parametrize(
    ("text", "background"),
    [
        pytest.param(text, background, id=f"{text}-on-{background}")
        for text in ("ink", "muted", "accent", "good", "bad", "warn")
        for background in ("paper", "page")
    ]
    + [
        pytest.param("accent-ink", "accent", id="button-text"),
        pytest.param("ink", "accent-soft", id="chosen-option"),
        pytest.param("good", "good-soft", id="good-badge"),
        pytest.param("bad", "bad-soft", id="bad-badge"),
        pytest.param("warn", "warn-soft", id="warn-badge"),
    ],
)
def test_text_has_4_5_to_1_on_its_background(text: str, background: str) -> None:
    ratio = contrast(COLOURS[text], COLOURS[background])
    assert ratio >= TEXT, f"--{text} on --{background}: {ratio:.2f}:1"


def test_the_focus_ring_has_3_to_1_on_every_surface() -> None:
    weak = {
        surface: round(contrast(COLOURS["focus"], surface), 2)
        for surface in surfaces()
        if contrast(COLOURS["focus"], surface) < NON_TEXT
    }
    assert not weak, f"--focus {COLOURS['focus']} under 3:1 on {weak}"
    # Inside the pressed (accent) language button the ring is --accent-ink.
    assert contrast(COLOURS["accent-ink"], COLOURS["accent"]) >= NON_TEXT


def floor1(ratio: float) -> float:
    return math.floor(ratio * 10) / 10


@pytest.mark.parametrize(
    "name", [name for name, (_, comment) in PROPERTIES.items() if re.search(r":1\b", comment)]
)
def test_each_ratio_written_in_the_stylesheet_is_true(name: str) -> None:
    """`N:1 on white` is the colour's contrast on white; `N:1 or more on every surface` its
    lowest on the surfaces (both rounded down, so a comment never overstates)."""
    colour, comment = PROPERTIES[name]
    on_white = re.search(r"([\d.]+):1 on white", comment)
    assert on_white, f"--{name}: {comment!r} says a ratio but not on what"
    assert float(on_white[1]) == floor1(contrast(colour, "#ffffff")), (
        f"--{name}: {comment!r}, computed {contrast(colour, '#ffffff'):.2f}:1 on white"
    )
    lowest = re.search(r"([\d.]+):1 or more on every surface", comment)
    if lowest:
        computed = min(contrast(colour, surface) for surface in surfaces())
        assert float(lowest[1]) == floor1(computed), f"--{name}: {comment!r}, {computed:.2f}:1"
