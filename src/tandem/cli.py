"""The `tandem` command: a thin wrapper over Django management, with one-line errors and exit codes.

Exit codes: 0 ok, 1 the request failed (unknown user, bad file…), 2 configuration or database unreachable,
130 interrupted."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

SETTINGS = "tandem.conf.settings"
CHILD_STOP_SECONDS = 12  # gunicorn's graceful timeout is 10 s; then the child is killed


class CliError(Exception):
    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def _say(message: str) -> None:
    print(message, flush=True)


def _fail(message: str) -> None:
    print(f"tandem: {message}", file=sys.stderr, flush=True)


def _setup() -> None:
    """Configure Django and make sure the database answers (one clear line if it does not)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS)
    import django

    django.setup()
    _check_database()


def _check_database() -> None:
    from django.db import connection
    from django.db.utils import OperationalError

    try:
        connection.ensure_connection()
    except OperationalError as error:
        raise _database_error(error) from None


def _database_error(error: Exception) -> CliError:
    """One line naming the database, its host and port, with the password never shown."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        where = f"SQLite database {db['NAME']}"
    else:
        where = f"PostgreSQL database {db['NAME']!r} at {db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}"
    reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    if db.get("PASSWORD"):
        reason = reason.replace(db["PASSWORD"], "***")
    return CliError(f"cannot connect to the {where}: {reason}", code=2)


def _pending_migrations() -> bool:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def _data_dir() -> Path:
    from django.conf import settings

    return Path(settings.DATA_DIR)


# --- init ----------------------------------------------------------------------------------------------


def _migrate() -> None:
    from django.core.management import call_command

    _data_dir().mkdir(parents=True, exist_ok=True)
    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)


def _administrators() -> Any:
    from tandem.identity.models import User

    return User.objects.filter(roles__code="administrator", is_active=True)


def cmd_init(args: argparse.Namespace) -> int:
    _setup()
    _migrate()
    _say(f"Data directory: {_data_dir()}")
    if _administrators().exists() and not args.admin_email:
        _say("An administrator already exists; the database is up to date.")
        return 0
    email = args.admin_email or ("" if args.no_input else input("Administrator email: ").strip())
    if not email:
        raise CliError("give --admin-email (or run interactively)")
    from tandem.identity.models import User

    if User.objects.filter(email=email.lower()).exists():
        _say(f"The user {email} already exists; the database is up to date.")
        return 0
    password = args.admin_password or os.environ.get("TANDEM_ADMIN_PASSWORD", "")
    if not password:
        if args.no_input or not sys.stdin.isatty():
            raise CliError("give --admin-password or set TANDEM_ADMIN_PASSWORD (no terminal to ask on)")
        password = getpass.getpass("Password: ")
        if getpass.getpass("Password again: ") != password:
            raise CliError("the passwords differ")
    _create_admin(email, args.admin_name or email.split("@")[0].title(), password)
    _say(f"Administrator {email} created. Start Tandem with `tandem serve`.")
    return 0


def _create_admin(email: str, name: str, password: str) -> None:
    from tandem.access.decide import SYSTEM
    from tandem.core.exceptions import DomainError
    from tandem.identity.services import user_create

    try:
        user_create(actor=SYSTEM, email=email, full_name=name, password=password, role_codes=["administrator"])
    except DomainError as error:
        details = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.errors.items())
        raise CliError(f"{error.message} {details}".strip()) from None


# --- serve / worker ------------------------------------------------------------------------------------


def _children_until_signal(commands: dict[str, list[str]]) -> int:
    """Run the named commands as children until SIGINT/SIGTERM or until one of them exits.

    A signal is forwarded (as SIGTERM) to every child still running; when one child exits on its own the
    others are stopped the same way. Exit code: 0 when stopped by a signal and every child exited cleanly,
    otherwise non-zero (the first failing child's code, or 1)."""
    children = {name: subprocess.Popen(command) for name, command in commands.items()}  # noqa: S603
    stopping: dict[str, int | None] = {"signal": None}

    def stop(signum: int, _frame: Any) -> None:
        stopping["signal"] = signum

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        while stopping["signal"] is None and all(child.poll() is None for child in children.values()):
            time.sleep(0.2)
        died = [name for name, child in children.items() if child.poll() is not None]
        for child in children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + CHILD_STOP_SECONDS
        for child in children.values():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    for name, child in children.items():
        code = child.returncode
        how = "by SIGTERM while starting" if code == -signal.SIGTERM and name not in died else f"exit code {code}"
        print(f"tandem: {name} stopped ({how})", file=sys.stderr, flush=True)
    if stopping["signal"] is None:
        _fail(f"{', '.join(died)} exited unexpectedly; stopped the rest")
    # A child stopped by our SIGTERM before it installed its own handler (still starting) had nothing in flight.
    failed = [child.returncode for name, child in children.items()
              if child.returncode != 0 and not (name not in died and child.returncode == -signal.SIGTERM)]
    if stopping["signal"] is not None and not failed:
        return 0
    return next((code for code in failed if code > 0), 1)


def _serve(host: str, port: int, workers: int) -> int:
    if _pending_migrations():
        raise CliError("the database is not set up yet: run `tandem init` first")
    python = sys.executable
    web = [python, "-m", "gunicorn", "tandem.conf.wsgi:application", "--bind", f"{host}:{port}",
           "--workers", str(workers), "--access-logfile", "-", "--graceful-timeout", "10"]
    import gunicorn

    if gunicorn.version_info >= (27,):  # its control socket is one path per user: several instances would clash
        web.append("--no-control-socket")
    jobs = [python, "-m", "django", "run_jobs", f"--settings={SETTINGS}"]
    _say(f"Tandem is running at http://{host}:{port}  (Ctrl-C stops it)")
    return _children_until_signal({"web server": web, "job consumer": jobs})


def cmd_serve(args: argparse.Namespace) -> int:
    _setup()
    return _serve(args.host, args.port, args.workers)


def cmd_worker(args: argparse.Namespace) -> int:
    _setup()
    if _pending_migrations():
        raise CliError("the database is not set up yet: run `tandem init` first")
    command = [sys.executable, "-m", "django", "run_jobs", f"--settings={SETTINGS}"]
    if args.workers:
        command += ["--workers", str(args.workers)]
    _say("Tandem job worker running (Ctrl-C stops it)")
    return _children_until_signal({"job consumer": command})


# --- demo / run ----------------------------------------------------------------------------------------


DEMO_CREDENTIALS = "demo-credentials.txt"


def _stored_demo_password() -> str | None:
    path = _data_dir() / DEMO_CREDENTIALS
    if not path.exists():
        return None
    return path.read_text(encoding="utf-8").strip() or None


def _store_demo_password(password: str) -> None:
    """Remember the demo password in the data directory, readable by its owner only (mode 0600)."""
    path = _data_dir() / DEMO_CREDENTIALS
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(password + "\n")
    path.chmod(0o600)


def _demo_users(explicit: str | None) -> str | None:
    """Make sure the demo users exist; return their password (None when it is not known here).

    Existing demo users keep their password: it was remembered in the data directory when they were made."""
    from tandem.core.exceptions import DomainError
    from tandem.demo.generate import demo_users_ensure, demo_users_exist

    stored = _stored_demo_password()
    if demo_users_exist():
        if explicit and explicit != stored:
            _say("The demo users already exist; their password stays as it was (--password ignored).")
        return stored
    password = explicit or os.environ.get("TANDEM_DEMO_PASSWORD") or stored or "demo-" + secrets.token_urlsafe(9)
    try:
        demo_users_ensure(password=password)
    except DomainError as error:
        details = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.errors.items())
        raise CliError(f"{error.message} {details}".strip()) from None
    _store_demo_password(password)
    return password


def _print_logins(password: str | None) -> None:
    from tandem.demo.generate import DEMO_USERS

    shown = password or "the one set when they were created"
    _say("")
    _say(f"Demo logins (password for all of them: {shown}):")
    for email, name, roles in DEMO_USERS:
        _say(f"  {email:<28} {name:<22} {', '.join(roles)}")


def cmd_demo(args: argparse.Namespace) -> int:
    _setup()
    if _pending_migrations():
        _migrate()
    from tandem.core.exceptions import DomainError
    from tandem.demo.generate import generate

    password = _demo_users(args.password)
    _say(f"Loading demo data (scale {args.scale}, seed {args.seed})…")
    try:
        result = generate(seed=args.seed, scale=args.scale, password=password or secrets.token_urlsafe(16),
                          progress=_say)
    except DomainError as error:
        raise CliError(f"{error.message} {error.errors or ''}".strip()) from None
    if result.already_loaded:
        _say("Demo accounts were already loaded; nothing added.")
    _print_logins(password)
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    """First run in one command: set up, load demo data into an empty database, print the logins, serve.

    A database that already has users of its own (not the demo users) gets no demo data and no demo users."""
    _setup()
    _migrate()
    from tandem.accounts.models import Account
    from tandem.demo.generate import demo_users_exist, generate
    from tandem.identity.models import User

    if User.objects.exists() and not demo_users_exist():
        _say("This database already has its own users; no demo data is added.")
        _say(f"Open http://{args.host}:{args.port} and log in with your account.")
        return _serve(args.host, args.port, args.workers)
    password = _demo_users(None)
    if not Account.objects.exists():
        _say("Loading demo data…")
        generate(seed=1, scale="small", password=password or secrets.token_urlsafe(16), progress=_say)
    _print_logins(password)
    _say("")
    _say(f"Open http://{args.host}:{args.port} and log in as ada.admin@demo.tandem / "
         f"{password or '(the demo password)'}")
    return _serve(args.host, args.port, args.workers)


# --- tokens ----------------------------------------------------------------------------------------------


def _user(email: str) -> Any:
    from tandem.identity.models import User

    user = User.objects.filter(email=email.strip().lower()).first()
    if user is None:
        raise CliError(f"no user with email {email}")
    return user


def _expiry(text: str | None) -> Any:
    if not text:
        return None
    import datetime

    from django.utils import timezone

    if text.endswith("d") and text[:-1].isdigit():
        return timezone.now() + datetime.timedelta(days=int(text[:-1]))
    try:
        day = datetime.date.fromisoformat(text)
    except ValueError:
        raise CliError("--expires takes a number of days like 30d or a date like 2027-01-31") from None
    return datetime.datetime.combine(day, datetime.time(), tzinfo=datetime.UTC)


def cmd_token(args: argparse.Namespace) -> int:
    _setup()
    from tandem.access.decide import SYSTEM
    from tandem.core.exceptions import DomainError
    from tandem.identity import services
    from tandem.identity.models import ApiToken

    if args.token_command == "create":
        user = _user(args.user)
        scopes = [scope.strip() for scope in args.scopes.split(",") if scope.strip()]
        try:
            issued = services.api_token_create(actor=SYSTEM, user=user, name=args.name, scopes=scopes,
                                               expires_at=_expiry(args.expires))
        except DomainError as error:
            raise CliError("; ".join(m for ms in error.errors.values() for m in ms) or error.message) from None
        _say(issued.secret)
        print(f"Token {issued.token.prefix}… for {user.email} with scopes {', '.join(issued.token.scopes)}. "
              "Store it now: it is not shown again.", file=sys.stderr)
        return 0
    if args.token_command == "list":
        tokens = ApiToken.objects.select_related("user").order_by("-created_at")
        if args.user:
            tokens = tokens.filter(user=_user(args.user))
        for token in tokens:
            state = "revoked" if token.revoked_at else ("expired" if not token.is_usable else "active")
            used = token.last_used_at.isoformat(timespec="minutes") if token.last_used_at else "never"
            _say(f"{token.public_id}  {token.prefix}…  {token.user.email:<28} {state:<8} last used {used}  "
                 f"{','.join(token.scopes)}  {token.name}")
        return 0
    found = ApiToken.objects.filter(public_id=args.token).first() or ApiToken.objects.filter(
        prefix=args.token.rstrip("…")).first()
    if found is None:
        raise CliError(f"no token {args.token}")
    services.api_token_revoke(actor=SYSTEM, token=found)
    _say(f"Token {found.prefix}… revoked.")
    return 0


# --- import / export -------------------------------------------------------------------------------------


def _actor(email: str | None) -> Any:
    from tandem.access.decide import SYSTEM

    return _user(email) if email else SYSTEM


def _import_events(args: argparse.Namespace) -> int:
    from tandem.usage.importer import import_events

    path = Path(args.file)
    if not path.is_file():
        raise CliError(f"no such file: {path}")
    try:
        report = import_events(actor=_actor(args.as_user), path=path)
    except ValueError as error:
        raise CliError(str(error)) from None
    for line, field, message in report.problems[:1000]:
        print(f"line {line}: {field or '-'}: {message}", file=sys.stderr)
    if len(report.problems) > 1000:
        print(f"... and {len(report.problems) - 1000} more problems", file=sys.stderr)
    _say(f"{report.rows} rows read: {report.stored} events stored, {report.already_stored} already stored, "
         f"{report.duplicates} repeated in the file, {report.rejected} rows rejected.")
    return 1 if report.problems else 0


def cmd_import(args: argparse.Namespace) -> int:
    _setup()
    if args.kind == "events":
        return _import_events(args)
    from django.core.files import File

    from tandem.core.exceptions import DomainError
    from tandem.transfer import services
    from tandem.transfer.models import ImportMode, ImportStatus

    path = Path(args.file)
    if not path.is_file():
        raise CliError(f"no such file: {path}")
    actor = _actor(args.as_user)
    try:
        with path.open("rb") as handle:
            upload = File(handle, name=path.name)
            upload.size = path.stat().st_size
            job = services.import_job_create(actor=actor, kind=args.kind, upload=upload)  # type: ignore[arg-type]
        mapping = job.mapping
        if args.mapping:
            mapping = _read_mapping(args.mapping)
        mode = ImportMode.ALL_OR_NOTHING if args.all_or_nothing else ImportMode.VALID_ROWS
        job.created_by = actor if getattr(actor, "pk", None) else None
        services.import_job_configure(actor=actor, job=job, mapping=mapping, mode=mode, remember=False)
        job.refresh_from_db()
        services.import_job_validate(actor=actor, job=job)
    except DomainError as error:
        raise CliError("; ".join(m for ms in error.errors.values() for m in ms) or error.message) from None
    for problem in job.row_errors.all()[:1000]:
        print(f"line {problem.line}: {problem.column or '-'}: {problem.message}", file=sys.stderr)
    _say(f"{job.processed_rows} rows read, {job.valid_rows} valid, {job.error_rows} with problems.")
    if job.status == ImportStatus.FAILED:
        raise CliError(job.message)
    if args.dry_run:
        return 1 if job.error_rows else 0
    if args.all_or_nothing and job.error_rows:
        raise CliError("all or nothing: nothing imported")
    job.status = ImportStatus.VALIDATED
    services.import_job_start(actor=actor, job=job)
    job.refresh_from_db()
    services.import_job_run(actor=actor, job=job)
    _say(f"Imported: {job.created_count} created, {job.updated_count} updated, {job.error_rows} rejected.")
    return 1 if job.status != ImportStatus.DONE else 0


def _read_mapping(text: str) -> dict[str, str]:
    path = Path(text)
    if path.is_file():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            raise CliError(f"the mapping file is not JSON: {error}") from None
        if not isinstance(data, dict):
            raise CliError("the mapping file must hold an object {\"Column\": \"field\"}")
        return {str(k): str(v) for k, v in data.items()}
    pairs = [part.split("=", 1) for part in text.split(",") if "=" in part]
    if not pairs:
        raise CliError("--mapping takes a JSON file or Column=field,Column=field")
    return {column.strip(): field.strip() for column, field in pairs}


def cmd_export(args: argparse.Namespace) -> int:
    _setup()
    from tandem.access.decide import can
    from tandem.audit.models import AuditAction
    from tandem.audit.services import audit_record
    from tandem.transfer import exports

    exporter = exports.EXPORTERS.get(args.kind)
    if exporter is None:
        raise CliError(f"cannot export {args.kind}; choose one of {', '.join(exports.EXPORTERS)}")
    actor = _actor(args.as_user)
    if not can(actor, "export", resource=exporter.resource):
        raise CliError(f"{actor} may not export {args.kind}")
    rows = exporter.rows(actor).iterator(chunk_size=2000)
    custom = exports.custom_columns(actor, exporter)
    audit_record(actor=actor, action=AuditAction.EXPORT, obj=None, summary=f"Exported {args.kind} from the CLI")
    if args.format == "xlsx":
        if not args.output:
            raise CliError("XLSX needs --output FILE")
        with exports.xlsx_file(exporter, rows, custom) as handle, open(args.output, "wb") as target:
            target.write(handle.read())
        return 0
    out = open(args.output, "w", encoding="utf-8", newline="") if args.output else sys.stdout  # noqa: SIM115
    try:
        for chunk in exports.csv_stream(exporter, rows, custom):
            out.write(chunk)
    finally:
        if out is not sys.stdout:
            out.close()
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    _setup()
    from tandem import bench

    if getattr(args, "mrr", False):
        from tandem.contracts import bench as mrr_bench

        mrr_result = mrr_bench.run(subscriptions=args.mrr_subscriptions, runs=min(args.runs, 20))
        print(mrr_bench.report(mrr_result))
        if args.output:
            import json

            with open(args.output, "w", encoding="utf-8") as handle:
                json.dump(mrr_result, handle, indent=2)
        return 0
    if args.tickets:
        from tandem.tickets import bench as tickets_bench

        try:
            result = tickets_bench.run(runs=args.runs)
        except RuntimeError as error:
            raise CliError(str(error)) from None
        print(tickets_bench.report(result))
        if args.output:
            import json

            with open(args.output, "w", encoding="utf-8") as handle:
                json.dump(result, handle, indent=2)
        return 0
    if args.renewals:
        import json

        from tandem.renewals import bench as renewals_bench

        result = renewals_bench.run(runs=args.runs if args.runs != 50 else 3)
        print(renewals_bench.report(result))
        if args.output:
            with open(args.output, "w", encoding="utf-8") as handle:
                json.dump(result, handle, indent=2)
        return 0
    if args.mail:
        from tandem.tickets import mail_bench

        result = mail_bench.run(messages=args.messages, workers=args.workers)
        print(mail_bench.report(result))
        if args.output:
            mail_bench.write(result, args.output)
        return 0 if result["duplicates"] == 0 and result["missing"] == 0 else 1
    if args.health:
        from tandem.health import bench as health_bench

        result = health_bench.run_health(progress=_say)
        print(health_bench.report(result))
        if args.output:
            health_bench.write(result, args.output)
        return 0
    if args.freshness:
        from tandem.health import freshness_bench

        try:
            return freshness_bench.main(args.output, seconds=args.seconds if args.seconds != 30 else 150,
                                        clients=args.clients if args.clients != 4 else 3, workers=args.workers,
                                        interval=args.interval, accounts=args.accounts)
        except RuntimeError as error:
            raise CliError(str(error)) from None
    if args.events:
        from tandem.usage import bench as events_bench

        try:
            events_bench.main(args.output, seconds=args.seconds, clients=args.clients, workers=args.workers)
        except RuntimeError as error:
            raise CliError(str(error)) from None
        return 0
    try:
        bench.main(args.runs, args.output, import_file=args.import_file, kind=args.kind,
                   collaboration=args.collaboration)
    except RuntimeError as error:
        raise CliError(str(error)) from None
    return 0


# --- mail ------------------------------------------------------------------------------------------------


def cmd_mail(args: argparse.Namespace) -> int:
    _setup()
    from tandem.tickets import mail_command

    return mail_command.run(retries=args.retries, retry_seconds=args.retry_seconds, fetch=not args.process_only,
                            process=not args.fetch_only, limit=args.limit)


# --- renewals --------------------------------------------------------------------------------------------


def cmd_renewals(args: argparse.Namespace) -> int:
    _setup()
    import datetime

    from tandem.renewals import engine

    try:
        today = datetime.date.fromisoformat(args.today) if args.today else None
    except ValueError:
        raise CliError(f"--today: not a date (YYYY-MM-DD): {args.today!r}") from None
    result = engine.renewals_run(today=today)
    print(f"Renewals on {result.today.isoformat()}: {result.created} opportunities created, {result.skipped} "
          f"renewed early by the account manager, {result.linked} already open, {result.negotiations} "
          f"negotiations opened, {result.closed} outcomes recorded.")
    return 0


def cmd_health(args: argparse.Namespace) -> int:
    _setup()
    from tandem.core.exceptions import DomainError
    from tandem.health import commands as health_commands

    try:
        return health_commands.run(args)
    except DomainError as error:
        raise CliError(f"{error.message} {error.errors or ''}".strip()) from None


# --- manage ----------------------------------------------------------------------------------------------


def cmd_manage(args: argparse.Namespace) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS)
    from django.core.management import execute_from_command_line
    from django.db.utils import OperationalError

    try:
        execute_from_command_line(["tandem manage", *args.arguments])
    except OperationalError:
        _check_database()  # unreachable: one clear line; reachable: a real error, shown in full
        raise
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tandem", description="Tandem: customer success and account management.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="first run: set up, load demo data, print logins and serve")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=8000)
    run.add_argument("--workers", type=int, default=2, help="web worker processes")
    run.set_defaults(handler=cmd_run)

    init = commands.add_parser("init", help="create the data directory, migrate, create the first administrator")
    init.add_argument("--admin-email")
    init.add_argument("--admin-password", help="or set TANDEM_ADMIN_PASSWORD")
    init.add_argument("--admin-name")
    init.add_argument("--no-input", action="store_true", help="never ask questions")
    init.set_defaults(handler=cmd_init)

    serve = commands.add_parser("serve", help="run the web server and an embedded job consumer")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=2, help="web worker processes")
    serve.set_defaults(handler=cmd_serve)

    worker = commands.add_parser("worker", help="run only a job consumer (for scale-out)")
    worker.add_argument("--workers", type=int, help="job threads (default: TANDEM_JOB_WORKERS, 2)")
    worker.set_defaults(handler=cmd_worker)

    demo = commands.add_parser("demo", help="load deterministic demo data")
    demo.add_argument("--seed", type=int, default=1)
    demo.add_argument("--scale", choices=["small", "medium", "large"], default="small")
    demo.add_argument("--password", help="password for the demo users (default: generated and remembered)")
    demo.set_defaults(handler=cmd_demo)

    token = commands.add_parser("token", help="create, list and revoke API tokens")
    token_commands = token.add_subparsers(dest="token_command", required=True, metavar="ACTION")
    create = token_commands.add_parser("create", help="create a token (prints the secret once)")
    create.add_argument("--user", required=True, help="email of the token's user")
    create.add_argument("--scopes", required=True, help="comma-separated, e.g. accounts:read,events:write")
    create.add_argument("--name", default="cli")
    create.add_argument("--expires", help="30d or 2027-01-31")
    listing = token_commands.add_parser("list", help="list tokens")
    listing.add_argument("--user")
    revoke = token_commands.add_parser("revoke", help="revoke a token by id or prefix")
    revoke.add_argument("token")
    token.set_defaults(handler=cmd_token)

    importer = commands.add_parser("import", help="import accounts, contacts, account_team, leads, opportunities or "
                                                  "subscriptions from CSV/XLSX; product-usage events from CSV or JSON "
                                                  "Lines (.gz)")
    importer.add_argument("kind", choices=["accounts", "contacts", "account_team", "leads", "opportunities",
                                           "subscriptions", "events"])
    importer.add_argument("file")
    importer.add_argument("--mapping", help="JSON file or Column=field,Column=field (default: guessed)")
    importer.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
    importer.add_argument("--all-or-nothing", action="store_true", help="import nothing if any row is bad")
    importer.add_argument("--as", dest="as_user", help="act as this user (default: the system, full access)")
    importer.set_defaults(handler=cmd_import)

    exporter = commands.add_parser("export", help="export accounts or contacts as CSV or XLSX")
    exporter.add_argument("kind", choices=["accounts", "contacts"])
    exporter.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    exporter.add_argument("--output", help="file to write (CSV defaults to standard output)")
    exporter.add_argument("--as", dest="as_user", help="export what this user may export")
    exporter.set_defaults(handler=cmd_export)

    bench = commands.add_parser("bench", help="time the key read paths against the configured database")
    bench.add_argument("--runs", type=int, default=50)
    bench.add_argument("--output", help="also write the figures as JSON")
    bench.add_argument("--import-file", help="instead: time the dry run, import and export of this file "
                                              "(each in its own process, with its peak memory)")
    bench.add_argument("--kind", choices=["accounts", "contacts"], default="contacts",
                       help="what --import-file holds (default: contacts)")
    bench.add_argument("--mrr", action="store_true",
                       help="instead: MRR movements over 36 months of 100,000 subscriptions with histories "
                            "(generated once; PostgreSQL)")
    bench.add_argument("--mrr-subscriptions", type=int, default=100_000, help="how many subscriptions for --mrr")
    bench.add_argument("--collaboration", action="store_true",
                       help="instead: the account timeline with 100,000 activities and a comment mentioning 20 "
                            "people (creates that account once)")
    bench.add_argument("--tickets", action="store_true",
                       help="instead: the agent queue (page and API) over 1,000,000 tickets on PostgreSQL "
                            "(generated once)")
    bench.add_argument("--events", action="store_true",
                       help="instead: product-usage ingestion on PostgreSQL — the physical limit, then sustained "
                            "HTTP ingestion through `tandem serve` (docs: benchmarks/README.md)")
    bench.add_argument("--renewals", action="store_true",
                       help="instead: the renewal engine over 100,000 contracts, first and second run "
                            "(creates the contracts once; --runs repetitions, default 3)")
    bench.add_argument("--mail", action="store_true",
                       help="instead: support-mail ingestion — 10,000 queued mails processed by --workers "
                            "processes, one killed with SIGKILL mid-run and restarted; checks for duplicates")
    bench.add_argument("--messages", type=int, default=10_000, help="--mail: how many queued mails")
    bench.add_argument("--health", action="store_true",
                       help="instead: a full health recompute of 100,000 accounts over roll-ups equivalent to "
                            "10,000,000 events, and incremental recomputes of 1,000 dirty accounts")
    bench.add_argument("--freshness", action="store_true",
                       help="instead: seconds from an event's acknowledgement to the account's updated health score "
                            "and code-red alert, under sustained ingestion through `tandem serve` (PostgreSQL)")
    bench.add_argument("--interval", type=float, default=2.0, help="--freshness: seconds between probe events")
    bench.add_argument("--accounts", type=int, default=0,
                       help="--freshness: spread the load over this many existing accounts (default: the events "
                            "benchmark's 1,000)")
    bench.add_argument("--seconds", type=float, default=30,
                       help="--events: how long the load runs (--freshness: default 150)")
    bench.add_argument("--clients", type=int, default=4, help="--events: load generator processes")
    bench.add_argument("--workers", type=int, default=2, help="--events: web worker processes; --mail: mail workers")
    bench.set_defaults(handler=cmd_bench)

    mail = commands.add_parser("mail", help="support mail: fetch the IMAP mailbox into tickets")
    mail_commands = mail.add_subparsers(dest="mail_command", required=True, metavar="ACTION")
    fetch = mail_commands.add_parser("fetch", help="fetch new mail (TANDEM_SUPPORT_IMAP_URL) and process the queue")
    fetch.add_argument("--retries", type=int, default=3, help="attempts while the server is down (default: 3)")
    fetch.add_argument("--retry-seconds", type=float, default=2.0, help="first pause between attempts, doubling")
    fetch.add_argument("--fetch-only", action="store_true", help="store new mail, do not process it")
    fetch.add_argument("--process-only", action="store_true", help="process queued mail, do not fetch")
    fetch.add_argument("--limit", type=int, help="process at most this many messages")
    mail.set_defaults(handler=cmd_mail)

    renewals = commands.add_parser("renewals", help="run the renewal engine now")
    renewals_commands = renewals.add_subparsers(dest="renewals_command", required=True, metavar="ACTION")
    renewals_run = renewals_commands.add_parser("run", help="create renewal opportunities 90 days before the end, "
                                                            "open negotiations at 30 (idempotent)")
    renewals_run.add_argument("--today", help="run as if today were YYYY-MM-DD")
    renewals.set_defaults(handler=cmd_renewals)

    health = commands.add_parser("health", help="recompute health scores; backtest the churn model")
    health_actions = health.add_subparsers(dest="action", required=True)
    health_recompute = health_actions.add_parser("recompute", help="recompute the accounts marked dirty")
    health_recompute.add_argument("--all", action="store_true", help="every account (the nightly pass)")
    health_backtest = health_actions.add_parser("backtest", help="AUC, top-decile lift and calibration of the "
                                                                 "health score and the churn model")
    health_backtest.add_argument("--horizon", type=int, default=90, help="churn within this many days")
    health_backtest.add_argument("--step", type=int, default=15, help="days between observation dates")
    health_backtest.add_argument("--json", action="store_true", help="print the figures as JSON")
    health.set_defaults(handler=cmd_health)

    manage = commands.add_parser("manage", help="run a Django management command", add_help=False)
    manage.add_argument("arguments", nargs=argparse.REMAINDER)
    manage.set_defaults(handler=cmd_manage)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from tandem.conf.env import ConfigurationError

    try:
        return int(args.handler(args) or 0)
    except ConfigurationError as error:
        _fail(f"configuration error: {error}")
        return 2
    except CliError as error:
        _fail(error.message)
        return error.code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `tandem export accounts | head`: the reader has gone; not an error worth a trace
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())
