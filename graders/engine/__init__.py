"""The grader-side engine: sessions with a child, scenarios, schedules, runs."""
