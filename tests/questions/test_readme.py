"""The README's examples are the format's contract: each one must validate as written."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from questions import validate_bank
from questions.models import QUESTION_TYPES

ROOT = Path(__file__).parents[2]
README = ROOT / "questions/README.md"
SHIPPED = ROOT / "questions/banks/async-backends"


def test_every_complete_example_in_the_readme_validates(tmp_path: Path) -> None:
    blocks = re.findall(r"```yaml\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)
    examples = [b for b in blocks if re.search(r"^id: ", b, re.MULTILINE) and "type:" in b]
    bank = tmp_path / "bank"
    bank.mkdir()
    shutil.copy(SHIPPED / "bank.yaml", bank)
    shutil.copy(SHIPPED / "course-notes.md", bank)
    types = set()
    for n, example in enumerate(examples):
        (bank / f"example-{n}.yaml").write_text(example, encoding="utf-8")
        types.add(re.search(r"^type: (\w+)", example, re.MULTILINE).group(1))  # type: ignore[union-attr]
    assert types == set(QUESTION_TYPES)
    validation = validate_bank(bank, assignments={"gather-all"})
    assert [str(p) for p in validation.problems] == []
