"""The child side of grading: everything here runs inside the sandbox, next to student code.

Bound read-only into the sandbox as the package `harness`; it imports the standard library only
and refers to its own modules relatively. Nothing in it decides a verdict.
"""
