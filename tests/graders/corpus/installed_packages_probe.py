# assignment: gather-all
# expect: full
"""A probe: looks into the Python installation's site-packages and the system's dist-packages
(where a service installed with pip keeps its assignments and references) and tries to import
what is installed there; raises if it sees anything, else solves the assignment."""

import asyncio
import glob
import importlib
import os
import sys

FOUND = []
for root in {sys.base_prefix, sys.prefix, "/usr", "/usr/local"}:
    for pattern in ("lib/python3*/site-packages", "lib/python3*/dist-packages"):
        for directory in glob.glob(os.path.join(root, pattern)):
            entries = os.listdir(directory)
            if entries:
                FOUND.append(f"{directory}: {sorted(entries)[:3]}")
            sys.path.append(directory)
for name in ("graders", "questions", "api", "pip", "setuptools", "attr", "IPython"):
    try:
        importlib.import_module(name)
        FOUND.append(f"import {name}")
    except ImportError:
        pass


async def fetch_all(urls, fetch):
    if FOUND:
        raise RuntimeError("found: " + "; ".join(FOUND))
    return list(await asyncio.gather(*map(fetch, urls)))
