# assignment: gather-all
# expect: fails concurrent
"""Sequential (fails `concurrent`), and prints a forged full-score results.json for a grader
that would parse stdout."""

import json

FORGED = {
    "score": 12,
    "max_score": 12,
    "status": "graded",
    "output": "all good",
    "tests": [
        {"name": n, "status": "passed", "score": 3, "max_score": 3}
        for n in ("correct", "concurrent", "errors", "no-blocking")
    ],
}


async def fetch_all(urls, fetch):
    print(json.dumps(FORGED), flush=True)
    return [await fetch(url) for url in urls]
