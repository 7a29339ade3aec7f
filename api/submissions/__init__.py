"""Code submissions: a student's code for a code question of an attempt, graded by the queue.

See api/grading for how a submission is graded, api/regrades for regrading.
"""
