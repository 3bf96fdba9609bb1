"""Background jobs for imports: each loads the job, then calls one service. Safe to run twice."""

from __future__ import annotations

from tandem.access.decide import SYSTEM
from tandem.core.jobs import db_job
from tandem.transfer import selectors, services
from tandem.transfer.models import ImportStatus


@db_job(retries=2, retry_delay=10)
def validate_import_job(job_id: int) -> None:
    job = selectors.import_job_for_job(job_id=job_id)
    if job is None or job.status != ImportStatus.VALIDATING:
        return
    services.import_job_validate(actor=job.created_by or SYSTEM, job=job)


@db_job(retries=0)
def run_import_job(job_id: int) -> None:
    job = selectors.import_job_for_job(job_id=job_id)
    if job is None or job.status != ImportStatus.IMPORTING:
        return
    services.import_job_run(actor=job.created_by or SYSTEM, job=job)
