"""Reads of import jobs: a person sees their own imports."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from tandem.core.exceptions import NotFound
from tandem.transfer.models import ImportJob


def import_job_list(*, actor: Any) -> QuerySet[ImportJob]:
    return ImportJob.objects.filter(created_by_id=getattr(actor, "pk", None))


def import_job_get(*, actor: Any, public_id: str) -> ImportJob:
    job = import_job_list(actor=actor).filter(public_id=public_id).first()
    if job is None:
        raise NotFound("No such import.")
    return job


def import_job_for_job(*, job_id: int) -> ImportJob | None:
    """For background jobs (system actor): the import job by internal id."""
    return ImportJob.objects.select_related("created_by").filter(pk=job_id).first()
