"""Import jobs: upload → mapping → dry run (every row validated, nothing written) → import.

The dry run and the import run as background jobs (jobs.py) so large files show progress. In
"valid rows" mode rows are written a chunk at a time (importers that can write many rows at once do so in
one savepoint per chunk; if that fails, the chunk is retried row by row, each in its own savepoint): a row is
imported whole or not at all.
In "all or nothing" mode the whole file is one transaction and any bad row rolls everything back."""

from __future__ import annotations

import contextlib
import csv
import gc
import hashlib
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.access.choices import Action
from tandem.access.decide import can
from tandem.audit.models import AuditAction
from tandem.audit.services import audit_record
from tandem.core.exceptions import DomainError, PermissionDenied, ValidationFailed
from tandem.core.jobs import enqueue_after_commit
from tandem.transfer import readers
from tandem.transfer.importers import FileContext, Importer, MappedRow, Prepared, get_importer, guess_mapping
from tandem.transfer.models import ImportJob, ImportMappingMemory, ImportMode, ImportRowError, ImportStatus

ALLOWED_SUFFIXES = {".csv", ".txt", ".tsv", ".xlsx"}
CHUNK_ROWS = 5000  # rows looked up, checked and written together; progress is reported per chunk
# Importers that write row by row (accounts, teams) gain nothing from large chunks and write ~100 rows a second
# on SQLite: smaller chunks keep their progress bar moving.
ROW_BY_ROW_CHUNK_ROWS = 500
ERROR_BATCH = 500


class _AllOrNothingAbort(Exception):
    pass


def _import_dir() -> Path:
    folder = Path(settings.DATA_DIR) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _check_kind_allowed(actor: Any, kind: str) -> None:
    try:
        importer = get_importer(kind)
    except LookupError:
        raise ValidationFailed(_("Unknown import kind."), errors={"kind": [_("Unknown import kind.")]}) from None
    if not (can(actor, Action.CREATE, resource=importer.resource)
            or can(actor, Action.CHANGE, resource=importer.resource)):
        raise PermissionDenied(_("You may not import %(kind)s.") % {"kind": importer.label})


def import_job_create(*, actor: Any, kind: str, upload: UploadedFile, encoding: str = "",
                      delimiter: str = "") -> ImportJob:
    """Store the uploaded file, read its headers and propose a mapping (the user's last one if it fits)."""
    _check_kind_allowed(actor, kind)
    name = re.sub(r"[^\w.\- ]", "_", Path(upload.name or "upload.csv").name)[:200] or "upload.csv"
    suffix = Path(name).suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        raise ValidationFailed(_("Only CSV and XLSX files can be imported."),
                               errors={"file": [_("Only CSV and XLSX files can be imported.")]})
    if upload.size and upload.size > settings.IMPORT_MAX_BYTES:
        message = _("The file is %(size)s MB; the limit is %(limit)s MB.") % {
            "size": upload.size // 2**20, "limit": settings.IMPORT_MAX_BYTES // 2**20}
        raise ValidationFailed(message, errors={"file": [message]})
    job = ImportJob(kind=kind, created_by=_user(actor), file_name=name, file_size=upload.size or 0)
    path = _import_dir() / f"{job.public_id}{suffix}"
    with path.open("wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    job.stored_path = str(path)
    try:
        shape = readers.inspect(path, encoding=encoding, delimiter=delimiter)
    except readers.FileProblem as problem:
        path.unlink(missing_ok=True)
        raise ValidationFailed(str(problem), errors={"file": [str(problem)]}) from None
    job.encoding, job.delimiter, job.headers = shape.encoding, shape.delimiter, shape.headers
    job.mapping = _remembered_mapping(actor, kind, shape.headers) or guess_mapping(get_importer(kind), shape.headers)
    job.save()
    return job


def _remembered_mapping(actor: Any, kind: str, headers: list[str]) -> dict[str, str] | None:
    if getattr(actor, "pk", None) is None:
        return None
    memory = ImportMappingMemory.objects.filter(user_id=actor.pk, kind=kind).first()
    if memory is None:
        return None
    mapping = {header: target for header, target in memory.mapping.items() if header in headers}
    return mapping or None


def import_job_configure(*, actor: Any, job: ImportJob, mapping: dict[str, str], mode: str,
                         remember: bool = True) -> ImportJob:
    """Set the column mapping and mode, then start the dry run in the background."""
    _check_owner(actor, job)
    importer = get_importer(job.kind)
    known = set(importer.field_names())
    mapping = {header: target for header, target in mapping.items() if target}
    errors: dict[str, list[str]] = {}
    for header, target in mapping.items():
        if header not in job.headers:
            errors.setdefault("mapping", []).append(_("No column %(header)s in the file.") % {"header": header})
        if target not in known:
            errors.setdefault("mapping", []).append(_("Unknown field %(field)s.") % {"field": target})
    targets = list(mapping.values())
    duplicated = sorted({t for t in targets if targets.count(t) > 1})
    if duplicated:
        errors.setdefault("mapping", []).append(_("Several columns map to %(fields)s.")
                                                % {"fields": ", ".join(duplicated)})
    missing = [str(f.label) for f in importer.all_fields() if f.required and f.name not in targets]
    if missing:
        errors.setdefault("mapping", []).append(_("Map a column to %(fields)s.") % {"fields": ", ".join(missing)})
    if mode not in ImportMode.values:
        errors["mode"] = [_("Unknown mode.")]
    if errors:
        raise ValidationFailed(_("The mapping is incomplete."), errors=errors)
    with transaction.atomic():
        job.mapping, job.mode, job.status = mapping, mode, ImportStatus.VALIDATING
        job.processed_rows = job.valid_rows = job.error_rows = 0
        job.save()
        job.row_errors.all().delete()
        if remember and getattr(actor, "pk", None):
            ImportMappingMemory.objects.update_or_create(user_id=actor.pk, kind=job.kind,
                                                         defaults={"mapping": mapping})
        from tandem.transfer.jobs import validate_import_job

        enqueue_after_commit(validate_import_job, job.pk)
    return job


def import_job_start(*, actor: Any, job: ImportJob) -> ImportJob:
    """After a dry run, write the rows (in the background)."""
    _check_owner(actor, job)
    if job.status != ImportStatus.VALIDATED:
        raise ValidationFailed(_("Check the file before importing it."), errors={"status": [job.status]})
    if job.mode == ImportMode.ALL_OR_NOTHING and job.error_rows:
        raise ValidationFailed(_("All or nothing: fix the %(count)s bad rows first, or import the valid rows.")
                               % {"count": job.error_rows})
    with transaction.atomic():
        job.status, job.processed_rows = ImportStatus.IMPORTING, 0
        job.save(update_fields=["status", "processed_rows", "updated_at"])
        from tandem.transfer.jobs import run_import_job

        enqueue_after_commit(run_import_job, job.pk)
    return job


def _check_owner(actor: Any, job: ImportJob) -> None:
    if not getattr(actor, "is_system", False) and job.created_by_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("This import belongs to someone else."))


def _user(actor: Any) -> Any:
    return None if getattr(actor, "is_system", False) or getattr(actor, "pk", None) is None else actor


def _chunk_rows(importer: Importer) -> int:
    return CHUNK_ROWS if importer.write_many is not None else ROW_BY_ROW_CHUNK_ROWS


def _mapped_rows(job: ImportJob, size: int) -> Iterator[list[tuple[MappedRow, str | None]]]:
    """The file's rows after mapping, in chunks of ``size``. A problem with the file itself (FileProblem) is
    raised after the rows read before it were handed out."""
    shape = readers.FileShape(job.encoding, job.delimiter, job.headers)
    columns = {target: header for header, target in job.mapping.items()}
    chunk: list[tuple[MappedRow, str | None]] = []
    try:
        for line, values, problem in readers.read_mapped(Path(job.stored_path), shape, job.mapping):
            chunk.append((MappedRow(line=line, values=values, columns=columns), problem))
            if len(chunk) >= size:
                yield chunk
                chunk = []
    except readers.FileProblem:
        if chunk:
            yield chunk
        raise
    if chunk:
        yield chunk


def _prefetch(importer: Importer, actor: Any, chunk: list[tuple[MappedRow, str | None]],
              context: FileContext) -> None:
    context.found = {}
    if importer.prefetch is not None:
        importer.prefetch(actor, [row for row, problem in chunk if not problem], context)


def _row_errors(job: ImportJob, line: int, problems: list[tuple[str, str]]) -> list[ImportRowError]:
    return [ImportRowError(job=job, line=line, column=column[:100], message=message[:500])
            for column, message in problems]


def import_job_validate(*, actor: Any, job: ImportJob) -> ImportJob:
    """The dry run: every row prepared and validated, every problem stored with line and column. Writes nothing
    but the job's own bookkeeping."""
    importer = get_importer(job.kind)
    context = FileContext()
    errors: list[ImportRowError] = []
    processed = valid = bad = 0
    job.row_errors.all().delete()
    try:
        with _collector_between_chunks() as collect:
            for chunk in _mapped_rows(job, _chunk_rows(importer)):
                _prefetch(importer, actor, chunk, context)
                for row, problem in chunk:
                    processed += 1
                    row_errors = [("", problem)] if problem else importer.prepare(actor, row, context).errors
                    if row_errors:
                        bad += 1
                        errors.extend(_row_errors(job, row.line, row_errors))
                    else:
                        valid += 1
                if len(errors) >= ERROR_BATCH:
                    ImportRowError.objects.bulk_create(errors)
                    errors = []
                ImportJob.objects.filter(pk=job.pk).update(processed_rows=processed,
                                                           total_rows=max(processed, job.total_rows))
                chunk = []  # freed before the collector looks
                collect()
    except readers.FileProblem as problem:
        ImportRowError.objects.bulk_create(errors)
        return _finish(job, ImportStatus.FAILED, str(problem), processed=processed, valid=valid, bad=bad)
    ImportRowError.objects.bulk_create(errors)
    job.total_rows = processed
    return _finish(job, ImportStatus.VALIDATED, "", processed=processed, valid=valid, bad=bad, finished=False)


def _write_one(prepared: Prepared, row: MappedRow) -> tuple[str | None, list[tuple[str, str]]]:
    """Write one row in its own savepoint: (outcome, errors)."""
    assert prepared.write is not None
    try:
        with transaction.atomic():
            return prepared.write(), []
    except ValidationFailed as error:
        return None, [(row.column(name), message) for name, messages in error.errors.items()
                      for message in messages] or [("", error.message)]
    except DomainError as error:  # refused, or the record is gone since the row was checked
        return None, [("", error.message)]
    except IntegrityError:
        return None, [("", _("This row conflicts with a record written meanwhile; import it again."))]


def _write_chunk(importer: Importer, actor: Any, ready: list[tuple[MappedRow, Prepared]],
                 all_or_nothing: bool) -> tuple[dict[str, int], list[tuple[MappedRow, list[tuple[str, str]]]]]:
    """Write a chunk's valid rows: all at once when the importer can (one savepoint), else - or when that
    fails, to find out which row is at fault - row by row. Returns counts and the rows that failed."""
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    if importer.write_many is not None and ready:
        try:
            with transaction.atomic():
                for kind, count in importer.write_many(actor, [prepared for _row, prepared in ready]).items():
                    counts[kind] += count
            return counts, []
        except (DomainError, IntegrityError):
            pass  # some row changed since it was checked: retry one by one to report it
    failed: list[tuple[MappedRow, list[tuple[str, str]]]] = []
    for row, prepared in ready:
        outcome, problems = _write_one(prepared, row)
        if outcome is not None:
            counts[outcome] += 1
        else:
            failed.append((row, problems))
            if all_or_nothing:
                break
    return counts, failed


@dataclass
class _Totals:
    counts: dict[str, int] = field(default_factory=lambda: {"created": 0, "updated": 0, "unchanged": 0})
    processed: int = 0
    bad: int = 0
    problem: str = ""  # the file could not be read to the end
    aborted: bool = False  # all or nothing: a row failed
    pending: list[ImportRowError] = field(default_factory=list)  # all or nothing: saved after the rollback

    def add(self, other: _Totals) -> None:
        for outcome, count in other.counts.items():
            self.counts[outcome] += count
        self.processed += other.processed
        self.bad += other.bad
        self.problem = self.problem or other.problem


def _mine(importer: Importer, row: MappedRow, share: tuple[int, int] | None) -> bool:
    """Whether this worker writes ``row``: rows with the same upsert key always go to the same worker (so it sees
    duplicates and writes them in file order); rows without one are spread by line."""
    if share is None:
        return True
    index, count = share
    key = (importer.partition_key(row) if importer.partition_key else "") or f"line:{row.line}"
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big") % count == index


@contextlib.contextmanager
def _collector_between_chunks() -> Iterator[Callable[[], int]]:
    """Run the cyclic garbage collector only between chunks, and only over what is new. A chunk builds ~10
    container objects per row (rows, model instances, audit dictionaries) and frees them by reference counting
    when it is done; the collector's automatic passes over them meanwhile found nothing to free, and each full pass
    also walked every object Django and the apps had loaded (~80 ms). Measured on 100,000 contacts: ~15 µs a row
    in the collector, ~12 % of the import's Python time; before this, pausing it only while checking and writing
    a chunk had already taken building a contact from 37 to 20 µs and its audit entry from 55 to 17 µs. Objects
    that exist when the run starts are frozen (left out of every pass), the automatic passes are off, and the
    yielded function collects the youngest generation - what a chunk left alive, few objects - between chunks, so
    memory stays bounded by the chunk size. The collector is the process's: another job thread of the consumer runs
    without automatic passes meanwhile, and whatever cycles it leaves are collected when the run ends."""
    collecting = gc.isenabled()
    gc.disable()
    gc.freeze()
    try:
        yield lambda: gc.collect(0)
    finally:
        gc.unfreeze()
        if collecting:
            gc.enable()


def _run_rows(actor: Any, job: ImportJob, importer: Importer, *, all_or_nothing: bool,
              share: tuple[int, int] | None = None) -> _Totals:
    """Check and write the file's rows (this worker's share of them), saving row errors as they come."""
    context = FileContext()
    totals = _Totals()
    errors: list[ImportRowError] = []
    try:
        with _collector_between_chunks() as collect:
            for whole_chunk in _mapped_rows(job, _chunk_rows(importer)):
                _run_chunk(actor, job, importer, whole_chunk, context, totals, errors,
                           all_or_nothing=all_or_nothing, share=share)
                if not all_or_nothing and len(errors) >= ERROR_BATCH:  # (all or nothing stops at the first)
                    ImportRowError.objects.bulk_create(errors)
                    errors.clear()
                del whole_chunk
                collect()
    except _AllOrNothingAbort:
        totals.aborted = True
    except readers.FileProblem as problem:
        totals.problem = str(problem)
    if all_or_nothing:
        totals.pending = errors
    else:
        ImportRowError.objects.bulk_create(errors)
    return totals


def _run_chunk(actor: Any, job: ImportJob, importer: Importer, whole_chunk: list[tuple[MappedRow, str | None]],
               context: FileContext, totals: _Totals, errors: list[ImportRowError], *, all_or_nothing: bool,
               share: tuple[int, int] | None) -> None:
    """Check and write one chunk (this worker's share of it), adding to ``totals``; its row errors are added to
    ``errors``."""
    chunk = [(row, problem) for row, problem in whole_chunk if _mine(importer, row, share)]
    _prefetch(importer, actor, chunk, context)
    ready: list[tuple[MappedRow, Prepared]] = []
    for row, problem in chunk:
        totals.processed += 1
        prepared = (Prepared(errors=[("", problem)]) if problem
                    else importer.prepare(actor, row, context))
        if prepared.errors:
            totals.bad += 1
            errors.extend(_row_errors(job, row.line, prepared.errors))
            if all_or_nothing:
                raise _AllOrNothingAbort
        elif prepared.write is not None:
            ready.append((row, prepared))
    written, failed = _write_chunk(importer, actor, ready, all_or_nothing)
    for outcome, count in written.items():
        totals.counts[outcome] += count
    for row, problems in failed:
        totals.bad += 1
        errors.extend(_row_errors(job, row.line, problems))
    if failed and all_or_nothing:
        raise _AllOrNothingAbort
    if share is None:
        ImportJob.objects.filter(pk=job.pk).update(processed_rows=totals.processed)
    else:
        ImportJob.objects.filter(pk=job.pk).update(processed_rows=F("processed_rows") + len(chunk))


def run_share(*, actor: Any, job: ImportJob, index: int, count: int) -> dict[str, Any]:
    """One process's share of a parallel import (called by transfer/parallel.py in a child process)."""
    totals = _run_rows(actor, job, get_importer(job.kind), all_or_nothing=False, share=(index, count))
    return {"counts": totals.counts, "processed": totals.processed, "bad": totals.bad, "problem": totals.problem}


def _parallel_workers(importer: Importer, job: ImportJob) -> int:
    """How many processes write this import: several only for large 'valid rows' imports on PostgreSQL of kinds
    that can be partitioned by upsert key (all or nothing needs one transaction, hence one process)."""
    workers = settings.IMPORT_WORKERS
    if (workers < 2 or job.mode != ImportMode.VALID_ROWS or importer.partition_key is None
            or importer.write_many is None or connection.vendor != "postgresql"
            or job.total_rows < settings.IMPORT_PARALLEL_MIN_ROWS):
        return 1
    return workers


def _run_parallel(actor: Any, job: ImportJob, workers: int) -> _Totals:
    import multiprocessing

    from tandem.transfer.parallel import share_worker

    actor_pk = None if getattr(actor, "is_system", False) else actor.pk
    database_name = str(connection.settings_dict["NAME"])
    totals = _Totals()
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        for result in pool.starmap(share_worker, [(job.pk, actor_pk, index, workers, database_name)
                                                  for index in range(workers)]):
            totals.add(_Totals(result["counts"], result["processed"], result["bad"], result["problem"]))
    return totals


def import_job_run(*, actor: Any, job: ImportJob) -> ImportJob:
    """Write the rows. Rows are validated again at write time (data may have changed since the dry run). Large
    'valid rows' imports on PostgreSQL run in several processes (TANDEM_IMPORT_WORKERS), each owning the rows whose
    upsert key hashes to it."""
    importer = get_importer(job.kind)
    job.row_errors.all().delete()
    all_or_nothing = job.mode == ImportMode.ALL_OR_NOTHING
    workers = _parallel_workers(importer, job)
    if workers > 1:
        ImportJob.objects.filter(pk=job.pk).update(processed_rows=0)
        totals = _run_parallel(actor, job, workers)
    elif all_or_nothing:
        totals = _Totals()
        try:
            with transaction.atomic():
                totals = _run_rows(actor, job, importer, all_or_nothing=True)
                if totals.aborted or totals.problem:
                    raise _AllOrNothingAbort  # roll every written row back
        except _AllOrNothingAbort:
            pass
        ImportRowError.objects.bulk_create(totals.pending)
    else:
        totals = _run_rows(actor, job, importer, all_or_nothing=False)
    if totals.aborted:
        return _finish(job, ImportStatus.FAILED, _("Nothing was imported: a row failed (all or nothing)."),
                       processed=totals.processed, valid=0, bad=totals.bad)
    if totals.problem:
        valid = 0 if all_or_nothing else sum(totals.counts.values())
        return _finish(job, ImportStatus.FAILED, totals.problem, processed=totals.processed, valid=valid,
                       bad=totals.bad)
    counts = totals.counts
    job.created_count, job.updated_count = counts["created"], counts["updated"]
    finished = _finish(job, ImportStatus.DONE, "", processed=totals.processed,
                       valid=counts["created"] + counts["updated"] + counts["unchanged"], bad=totals.bad)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=finished,
                 summary=_("Imported %(kind)s from %(file)s: %(created)s created, %(updated)s updated, "
                           "%(bad)s rows rejected") % {"kind": job.kind, "file": job.file_name,
                                                       "created": counts["created"], "updated": counts["updated"],
                                                       "bad": totals.bad})
    return finished


def _finish(job: ImportJob, status: str, message: str, *, processed: int, valid: int, bad: int,
            finished: bool = True) -> ImportJob:
    job.status, job.message = status, message
    job.processed_rows, job.valid_rows, job.error_rows = processed, valid, bad
    if finished:
        job.finished_at = timezone.now()
    job.save()
    return job


def error_report_csv(*, job: ImportJob) -> str:
    """The job's problems as CSV: line, column, reason."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["line", "column", "reason"])
    for error in job.row_errors.all().iterator():
        writer.writerow([error.line, error.column, error.message])
    return buffer.getvalue()
