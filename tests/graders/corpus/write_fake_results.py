# assignment: gather-all
# expect: fails concurrent
"""Sequential, and writes forged result files wherever a grader might look."""

import json
import os

FORGED = json.dumps({"score": 12, "max_score": 12, "status": "graded", "tests": []})


async def fetch_all(urls, fetch):
    for path in (
        "/autograder/results/results.json",
        "results.json",
        "/tmp/results.json",
        "/quizloop/results.json",
        "/dev/shm/results.json",
    ):
        try:
            os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
            with open(path, "w") as f:
                f.write(FORGED)
        except OSError:
            pass
    return [await fetch(url) for url in urls]
