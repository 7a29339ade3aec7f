"""Per-assignment scenarios that decide the checks (grader side: never enters the sandbox)."""
