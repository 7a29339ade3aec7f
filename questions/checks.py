"""Rules a question must keep beyond its schema: languages, keys, params, blanks, sources.

Each check yields `(location, message)` pairs; the loader turns locations into file lines.
Static checks read the question as written; `check_variants` renders it over every parameter
combination (or a sample of seeds) and checks each rendered key and option list.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Iterator

import regex

from questions.expressions import ExpressionError, compile_expression
from questions.models import (
    ChoiceQuestion,
    CodeQuestion,
    FillInQuestion,
    LocalizedText,
    MatchingQuestion,
    MultipleChoiceQuestion,
    NumericQuestion,
    OrderingQuestion,
    ParamValues,
    Question,
    SingleChoiceQuestion,
    TrueFalseQuestion,
)
from questions.params import param_domain, placeholders, value_space
from questions.variants import ChoiceKey, NumericKey, Variant, render_question

__all__ = ["Finding", "check_question", "check_variants"]

Finding = tuple[tuple[str | int, ...], str]
BLANK = re.compile(r"\[\[\s*([^\]\s]*)\s*\]\]")
_CODE = re.compile(r"```.*?```|`[^`\n]*`", re.DOTALL)
EXHAUSTIVE_LIMIT = 240
SAMPLED_SEEDS = 120


def _texts(question: Question) -> Iterator[tuple[tuple[str | int, ...], LocalizedText]]:
    """Every student-facing text of the question, with its location."""
    yield ("text",), question.text
    yield ("explanation",), question.explanation
    if isinstance(question, SingleChoiceQuestion | MultipleChoiceQuestion):
        for i, option in enumerate(question.options):
            yield ("options", i, "text"), option.text
            if option.feedback is not None:
                yield ("options", i, "feedback"), option.feedback
    elif isinstance(question, MatchingQuestion):
        for i, pair in enumerate(question.pairs):
            yield ("pairs", i, "left"), pair.left
            yield ("pairs", i, "right"), pair.right
        for i, text in enumerate(question.distractors):
            yield ("distractors", i), text
    elif isinstance(question, OrderingQuestion):
        for i, text in enumerate(question.items):
            yield ("items", i), text


def _languages(question: Question, languages: tuple[str, ...]) -> Iterator[Finding]:
    waiting = set(question.needs_translation)
    if waiting and question.status != "draft":
        yield (
            ("needs_translation",),
            ("only drafts may await translation: translate the texts, remove needs_translation"),
        )
    for language in sorted(waiting - set(languages)):
        yield ("needs_translation",), f"{language!r} is not a language of the bank"
    for location, text in _texts(question):
        for language in languages:
            if language not in text and not (question.status == "draft" and language in waiting):
                yield (*location, language), f"missing the {language} text"
            elif language in text and not text[language].strip():
                yield (*location, language), f"the {language} text is empty"
        for language in text:
            if language not in languages:
                yield (
                    (*location, language),
                    (f"{language!r} is not a language of the bank ({', '.join(languages)})"),
                )


def _params(question: Question) -> Iterator[Finding]:
    if question.generator and question.params:
        yield ("generator",), "declare either params or a generator, not both"
    for name, spec in question.params.items():
        try:
            param_domain(spec)
        except ValueError as error:
            yield ("params", name), str(error)
    known = set(question.params)
    for name, source in question.derived.items():
        if name in known:
            yield ("derived", name), f"{name} is already a parameter"
        if question.generator:
            known.add(name)
            continue  # the generator's names are known only once it has run
        try:
            compile_expression(str(source), frozenset(known))
        except ExpressionError as error:
            yield ("derived", name), str(error)
        known.add(name)
    if question.generator:
        return
    names = frozenset(known)
    for location, text in _texts(question):
        for language, value in text.items():
            for source in placeholders(value):
                try:
                    compile_expression(source, names)
                except ExpressionError as error:
                    yield (*location, language), f"placeholder {{{{ {source} }}}}: {error}"


def _stray_placeholders(question: Question) -> Iterator[Finding]:
    # In a question without params `{{ x }}` is literal text; outside code it is a forgotten param.
    for location, text in _texts(question):
        for language, value in text.items():
            found = placeholders(_CODE.sub("", value))
            if found:
                yield (
                    (*location, language),
                    (f"placeholder {{{{ {found[0]} }}}} but the question declares no params"),
                )


def _expression(
    question: Question, location: tuple[str | int, ...], source: str
) -> Iterator[Finding]:
    if question.generator:
        return
    names = frozenset(question.params) | frozenset(question.derived)
    try:
        compile_expression(source, names)
    except ExpressionError as error:
        yield location, str(error)


def _distinct(
    location: tuple[str | int, ...], texts: list[LocalizedText], what: str
) -> Iterator[Finding]:
    languages = {language for text in texts for language in text}
    for language in sorted(languages):
        seen: dict[str, int] = {}
        for i, text in enumerate(texts):
            value = " ".join(text.get(language, "").split()).casefold()
            if value and value in seen:
                yield (
                    (*location, i),
                    f"{what} {i + 1} repeats {what} {seen[value] + 1} in {language}",
                )
            seen.setdefault(value, i)


def _choices(question: ChoiceQuestion) -> Iterator[Finding]:
    ids = [o.id for o in question.options]
    for i, option_id in enumerate(ids):
        if option_id in ids[:i]:
            yield ("options", i, "id"), f"option id {option_id!r} is used twice"
    for i, option in enumerate(question.options):
        if isinstance(option.correct, str):
            yield from _expression(question, ("options", i, "correct"), option.correct)
    if all(isinstance(o.correct, bool) for o in question.options):
        right = sum(1 for o in question.options if o.correct is True)
        if isinstance(question, SingleChoiceQuestion) and right != 1:
            yield (
                ("options",),
                f"a single_choice question needs exactly one correct option, not {right}",
            )
        if isinstance(question, MultipleChoiceQuestion) and right < 1:
            yield ("options",), "a multiple_choice question needs at least one correct option"
    if not question.parameterised:
        yield from _distinct(("options",), [o.text for o in question.options], "option")


def _fill_in(question: FillInQuestion) -> Iterator[Finding]:
    ids = [b.id for b in question.blanks]
    for i, blank in enumerate(question.blanks):
        if blank.id in ids[:i]:
            yield ("blanks", i, "id"), f"blank id {blank.id!r} is used twice"
        if not blank.accept and not blank.regex:
            yield ("blanks", i), "a blank needs `accept` strings or a `regex`"
        for j, pattern in enumerate(blank.regex):
            try:
                regex.compile(pattern)
            except regex.error as error:
                yield ("blanks", i, "regex", j), f"not a valid regular expression: {error}"
    for language, text in question.text.items():
        written = BLANK.findall(text)
        for blank_id in ids:
            count = written.count(blank_id)
            if count != 1:
                yield (
                    ("text", language),
                    f"[[{blank_id}]] must appear once in the text, not {count} times",
                )
        for blank_id in sorted(set(written) - set(ids)):
            yield (
                ("text", language),
                f"[[{blank_id}]] is not a declared blank (blanks: {', '.join(ids)})",
            )


def check_question(
    question: Question,
    *,
    languages: tuple[str, ...],
    headings: Collection[tuple[str, ...]] | None = None,
    assignments: Collection[str] | None = None,
) -> list[Finding]:
    """Every rule the question breaks as written (not yet rendered).

    Usage: `check_question(q, languages=("zh-CN", "en"), headings=notes.paths())`
    """
    found = list(_languages(question, languages))
    if question.parameterised:
        found += _params(question)
    else:
        found += _stray_placeholders(question)
    if headings is not None and tuple(question.source) not in headings:
        wanted = " / ".join(question.source)
        close = difflib.get_close_matches(
            wanted, [" / ".join(h) for h in headings], n=1, cutoff=0.5
        )
        hint = (
            f"; did you mean [{', '.join(repr(p) for p in close[0].split(' / '))}]?"
            if close
            else ""
        )
        found.append((("source",), f"no such heading path in the notes: {wanted}{hint}"))
    if isinstance(question, SingleChoiceQuestion | MultipleChoiceQuestion):
        found += _choices(question)
    elif isinstance(question, TrueFalseQuestion) and isinstance(question.answer, str):
        found += _expression(question, ("answer",), question.answer)
    elif isinstance(question, FillInQuestion):
        found += _fill_in(question)
    elif isinstance(question, NumericQuestion):
        if isinstance(question.answer, str):
            found += _expression(question, ("answer",), question.answer)
        if question.tolerance.absolute is not None and question.tolerance.relative is not None:
            found.append((("tolerance",), "give an absolute or a relative tolerance, not both"))
    elif isinstance(question, MatchingQuestion) and not question.parameterised:
        found += _distinct(("pairs",), [p.left for p in question.pairs], "left entry")
        rights = [p.right for p in question.pairs] + list(question.distractors)
        found += _distinct(("pairs",), rights, "right entry")
    elif isinstance(question, OrderingQuestion) and not question.parameterised:
        found += _distinct(("items",), list(question.items), "item")
    elif (
        isinstance(question, CodeQuestion)
        and assignments is not None
        and question.assignment not in assignments
    ):
        known = ", ".join(sorted(assignments)) or "none found"
        message = f"no assignment {question.assignment!r} (known: {known})"
        found.append((("assignment",), message))
    return found


def _variant_findings(question: Question, variant: Variant) -> Iterator[Finding]:
    key, student = variant.key, variant.student
    if isinstance(key, ChoiceKey):
        if key.type == "single_choice" and len(key.correct) != 1:
            yield ("options",), f"exactly one option must be correct, but {len(key.correct)} are"
        if key.type == "multiple_choice" and not key.correct:
            yield ("options",), "no option is correct"
        yield from _distinct(("options",), [o.text for o in student.options], "shown option")
    elif isinstance(key, NumericKey):
        exact = key.absolute is None and key.relative is None
        if exact and abs(key.answer - round(key.answer, 6)) > 1e-9 * max(1.0, abs(key.answer)):
            yield (
                ("answer",),
                (f"the exact answer {key.answer!r} cannot be typed: round it or give a tolerance"),
            )
    elif student.left:
        yield from _distinct(("pairs",), [c.text for c in student.left], "left entry")
        yield from _distinct(("pairs",), [c.text for c in student.right], "right entry")
    elif student.items:
        yield from _distinct(("items",), [c.text for c in student.items], "item")


def check_variants(question: Question, generated: tuple[ParamValues, ...] = ()) -> list[Finding]:
    """Render every parameter combination (or sampled seeds) and check each; first failure only.

    Usage: `check_variants(q)` -> `[(("derived", "t"), "with n=0: derived t: division by zero")]`
    """
    runs: list[tuple[str, ParamValues | None, int]]
    if question.generator:
        runs = [(f"parameter set {i}", values, 0) for i, values in enumerate(generated)]
    elif not question.parameterised:
        runs = [("seed 0", None, 0)]
    else:
        space = value_space(question.params, EXHAUSTIVE_LIMIT)
        if space is not None:
            runs = [("", values, 0) for values in space]
        else:
            runs = [(f"seed {seed}", None, seed) for seed in range(SAMPLED_SEEDS)]
    for label, values, seed in runs:
        try:
            variant = render_question(question, seed, params=values)
        except (ExpressionError, ValueError) as error:
            shown = ", ".join(f"{k}={v}" for k, v in (values or {}).items()) or label
            return [(_location_of(question, str(error)), f"with {shown}: {error}")]
        found = list(_variant_findings(question, variant))
        if found:
            shown = ", ".join(f"{k}={v}" for k, v in variant.values.items()) or label
            return [(loc, f"{message} (with {shown})") for loc, message in found]
    return []


def _location_of(question: Question, message: str) -> tuple[str | int, ...]:
    match = re.match(r"derived (\w+):", message)
    if match:
        return ("derived", match.group(1))
    if question.generator:
        return ("generator",)
    return ("params",) if question.params else ("text",)
