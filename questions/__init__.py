"""quizloop's question banks: load and validate them, render seeded variants, score responses.

A pure library (no web, no database). Usage:

    bank = load_bank("questions/banks/async-backends")
    seed = variant_seed(quiz="q7", student="s42", question="ioloop-add-callback", secret=key)
    variant = render_variant(bank, "ioloop-add-callback", seed, language="en")
    send_to_browser(variant.student)          # StudentVariant: no key, by construction
    score = score_response(variant, response)  # Score(points, max_points, parts, ...)
"""

from questions.answers import normalize_answer
from questions.expressions import ExpressionError
from questions.loader import BankInvalid, Problem, Validation, load_bank, validate_bank
from questions.models import Bank, Manifest, Question, QuestionType
from questions.scoring import PartScore, Score, score_response
from questions.stats import BankStats, bank_stats
from questions.variants import (
    AnswerKey,
    Choice,
    StudentVariant,
    Variant,
    render_question,
    render_variant,
    variant_seed,
)

__all__ = [
    "AnswerKey",
    "Bank",
    "BankInvalid",
    "BankStats",
    "Choice",
    "ExpressionError",
    "Manifest",
    "PartScore",
    "Problem",
    "Question",
    "QuestionType",
    "Score",
    "StudentVariant",
    "Validation",
    "Variant",
    "bank_stats",
    "load_bank",
    "normalize_answer",
    "render_question",
    "render_variant",
    "score_response",
    "validate_bank",
    "variant_seed",
]
