"""The grading queue: submissions graded by a bounded local pool or by Celery workers.

Public surface:
    queue         the durable queue in the database: enqueue, claim, finish, fail, sweep
    local         LocalPool: sandboxed worker processes beside the service (the default)
    tasks         the Celery app and task (`quizloop worker`)
    runtime       grading_runtime(): the backend a service process runs, chosen by
                  QUIZLOOP_GRADING_BACKEND
    publish       publishing jobs and change notices after the commit that made them

Kept free of heavy imports: local worker processes import only what grading needs.
"""
