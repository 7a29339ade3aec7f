"""The grading queue: submissions graded by a bounded local pool or by Celery workers.

    models       GradingJob: the durable queue, one row per run of the grader over a submission
    queue        enqueue, claim (compare-and-set, run tokens), renew, finish, fail, release
    outcomes     what a job's end writes: the submission, the regrade, the item, the total
    sweep        jobs whose worker vanished run again; jobs past their deadline end
    results      a grader Result as stored on a submission, in every language
    local        LocalPool: sandboxed processes beside the service (pool_worker: one of them)
    tasks        the Celery app, its task, and CeleryPublisher (`quizloop worker`)
    runtime      grading_runtime(): the backend a service process runs
                 (QUIZLOOP_GRADING_BACKEND)
    publish      publishing jobs and change notices after the commit that made them
    changes      change notices between processes over Redis pub/sub
    events       the server-sent event streams of submissions and regrades

Kept free of imports here: local worker processes import only what grading needs.
"""
