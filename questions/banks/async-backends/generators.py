"""Generator functions for parameterised questions whose values ranges and formulas cannot express.

A question declares `generator: <name>`; the function takes a `random.Random` and returns a dict
of parameter values (numbers, text or booleans) that its texts use as `{{ name }}` and its
`derived` and `answer` expressions read. Rules (checked by `quizloop bank validate`):
- use only `rng`: never the `random` module's global functions, the clock, files or the network;
- return the same names for every seed, finish quickly (the loader allows 2 s for all seeds),
  and give values for which every rendered option is distinct.
This file is never imported by the server: it runs in a separate process when the bank loads.
"""

from __future__ import annotations

import random


def retry_backoff(rng: random.Random) -> dict[str, int]:
    """Retries with exponential backoff: base delay d ms, factor f, r retries, each call c ms.

    `wait` is the total sleep d + d*f + ... + d*f**(r-1); `worst` adds the r + 1 failed calls.
    """
    d = rng.choice([50, 100, 200, 250])
    f = rng.choice([2, 3])
    r = rng.randint(2, 5)
    c = rng.choice([10, 20, 40])
    wait = sum(d * f**i for i in range(r))
    return {"d": d, "f": f, "r": r, "c": c, "wait": wait, "worst": wait + (r + 1) * c}


def chain_availability(rng: random.Random) -> dict[str, float | int]:
    """A request crossing k services in series, each up a fraction p of the time (as a percent).

    `chain` is the percent of time the whole chain is up: 100 * (p/100) ** k, to two decimals.
    """
    k = rng.randint(3, 8)
    p = rng.choice([99.0, 99.5, 99.9, 99.95])
    return {"k": k, "p": p, "chain": round(100 * (p / 100) ** k, 2)}
