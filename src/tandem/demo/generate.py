"""Demo data: one user per role, teams, an account hierarchy with account teams, and contacts.

The same seed and scale give the same data. The first ``SERVICE_ACCOUNTS`` accounts of every scale are
written through the services (audited, with stage history, exactly like real use); the rest of the medium
(2,000) and large (100,000 accounts, 500,000 contacts) scales are bulk-inserted in batches because going
through the services would take many minutes (medium) or hours (large). Those rows carry no audit entries or
stage history; the search index is kept by database triggers, so they are searchable all the same."""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from tandem.access.decide import SYSTEM
from tandem.accounts import services as account_services
from tandem.accounts import team as account_team
from tandem.accounts.models import Account, AccountTeamMember
from tandem.contacts import services as contact_services
from tandem.contacts.logic import normalise_phone
from tandem.contacts.models import Contact
from tandem.demo import names
from tandem.demo.activities import bulk_demo_activities, log_demo_activities
from tandem.demo.collaboration import demo_collaboration
from tandem.demo.pipeline import demo_pipeline
from tandem.demo.renewals import demo_renewals
from tandem.demo.revenue import demo_revenue
from tandem.demo.tickets import demo_tickets
from tandem.demo.usage import demo_health, demo_usage
from tandem.identity import services as identity_services
from tandem.identity.models import Role, Team, User
from tandem.notifications import services as notification_services

SCALES = {"small": (60, 3), "medium": (2_000, 4), "large": (100_000, 5)}  # accounts, contacts per account
SERVICE_ACCOUNTS = 200  # written through the services; the rest in bulk
BULK_ACTIVITIES = {"small": 3, "medium": 3, "large": 0}  # timeline entries per bulk account (large: none, cheap)
BATCH = 2_000

DEMO_USERS = [
    ("ada.admin@demo.tandem", "Ada Admin", ["administrator"]),
    ("max.manager@demo.tandem", "Max Manager", ["manager"]),
    ("mei.manager@demo.tandem", "Mei Manager", ["manager"]),
    ("lea.manager@demo.tandem", "Lea Lead", ["manager"]),
    ("sam.sdr@demo.tandem", "Sam SDR", ["sdr"]),
    ("alex.ae@demo.tandem", "Alex AE", ["ae"]),
    ("tina.support@demo.tandem", "Tina Support", ["support_tier1"]),
    ("tom.tier2@demo.tandem", "Tom Tier Two", ["support_tier2"]),
    ("amy.am@demo.tandem", "Amy AM", ["am"]),
    ("jun.am@demo.tandem", "Jun AM", ["am"]),
    ("ian.impl@demo.tandem", "Ian Implementation", ["implementation"]),
    ("cara.csm@demo.tandem", "Cara CSM", ["csm"]),
    ("seo.csm@demo.tandem", "Seo-yeon CSM", ["csm"]),
    ("rick.renewal@demo.tandem", "Rick Renewal", ["renewal"]),
    ("vera.viewer@demo.tandem", "Vera Viewer", ["viewer"]),
]
# Regional teams own their region's accounts; the delivery team (implementation and renewals) works across
# regions, so its manager sees the accounts in onboarding or up for renewal, and the regional managers do not.
TEAMS = [
    ("EMEA", "max.manager@demo.tandem", ["amy.am@demo.tandem", "cara.csm@demo.tandem", "alex.ae@demo.tandem",
                                          "sam.sdr@demo.tandem"]),
    ("APAC", "mei.manager@demo.tandem", ["jun.am@demo.tandem", "seo.csm@demo.tandem", "tina.support@demo.tandem",
                                          "tom.tier2@demo.tandem"]),
    ("Delivery", "lea.manager@demo.tandem", ["ian.impl@demo.tandem", "rick.renewal@demo.tandem"]),
]
IMPLEMENTATION_STAGES = {"trial", "onboarding", "adopting"}
RENEWAL_STAGES = {"mature", "renewal_due", "at_risk"}


@dataclass(frozen=True)
class DemoResult:
    users_created: int
    accounts_created: int
    contacts_created: int
    already_loaded: bool


def demo_users_exist() -> bool:
    return User.objects.filter(email=DEMO_USERS[0][0]).exists()


def demo_users_ensure(*, password: str) -> int:
    """Create the demo users and teams that are missing (never changes existing ones); returns how many users."""
    created = 0
    for email, full_name, roles in DEMO_USERS:
        if User.objects.filter(email=email).exists():
            continue
        identity_services.user_create(actor=SYSTEM, email=email, full_name=full_name, password=password,
                                      role_codes=roles, time_zone="Europe/Berlin")
        created += 1
    for team_name, manager_email, member_emails in TEAMS:
        team, _ = Team.objects.get_or_create(name=team_name, defaults={
            "manager": User.objects.get(email=manager_email)})
        team.members.add(*User.objects.filter(email__in=member_emails))
    return created


def _ascii(text: str) -> str:
    """'Krüger' -> 'krueger', 'Ji-woo' -> 'jiwoo': a plausible email local part."""
    text = text.lower().replace("ü", "ue").replace("ö", "oe").replace("ä", "ae").replace("ß", "ss")
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if ch.isascii() and ch.isalnum())


def _phone(rng: random.Random, country: str) -> str:
    """A random number that the phone-number library accepts for the country (deterministic per seed)."""
    digits = names.PHONE_DIGITS[country]
    while True:
        number = names.PHONE_PREFIX[country] + str(rng.randint(2 * 10 ** (digits - 1), 10**digits - 1))
        if normalise_phone(number).normalised:
            return number


def _company(rng: random.Random, index: int) -> tuple[str, str, str, str]:
    stem = names.COMPANY_STEMS[index % len(names.COMPANY_STEMS)]
    sector, industry = names.COMPANY_SECTORS[(index // len(names.COMPANY_STEMS)) % len(names.COMPANY_SECTORS)]
    country = names.STEM_COUNTRY.get(stem) or rng.choice(["US", "GB", "US"])
    suffix = rng.choice(names.COMPANY_SUFFIXES[country])
    round_number = index // (len(names.COMPANY_STEMS) * len(names.COMPANY_SECTORS))
    name = f"{stem} {sector} {suffix}" + (f" {round_number + 1}" if round_number else "")
    domain_stem = stem.lower().replace("ü", "ue").replace("ä", "ae").replace("ö", "oe")
    domain = f"{domain_stem}-{sector.lower()}{round_number or ''}.example"
    return name, domain, country, industry


def _team_plan(country: str, tier: str, stage: str) -> dict[str, str]:
    """Who sits on an account's team: the region's AM, its CSM for high-touch accounts, the implementation
    specialist while the customer is being onboarded and the renewal specialist once renewals matter."""
    apac = country in ("KR", "CN")
    plan = {"am": "jun.am@demo.tandem" if apac else "amy.am@demo.tandem"}
    if tier == "high_touch":
        plan["csm"] = "seo.csm@demo.tandem" if apac else "cara.csm@demo.tandem"
    if stage in IMPLEMENTATION_STAGES:
        plan["implementation"] = "ian.impl@demo.tandem"
    if stage in RENEWAL_STAGES:
        plan["renewal"] = "rick.renewal@demo.tandem"
    return plan


def demo_accounts_loaded() -> bool:
    return Account.objects.filter(external_id="demo-000001").exists()


def generate(*, seed: int, scale: str, password: str, progress: Callable[[str], None] = print) -> DemoResult:
    account_count, contacts_per_account = SCALES[scale]
    rng = random.Random(seed)
    users_created = demo_users_ensure(password=password)
    if demo_accounts_loaded():
        return DemoResult(users_created, 0, 0, True)
    users = {user.email: user for user in User.objects.filter(email__endswith="@demo.tandem")}
    teams = {team.name: team for team in Team.objects.all()}
    created_accounts = created_contacts = 0
    parents: list[Account] = []
    activity_rng = random.Random(seed * 7919 + 1)  # its own stream: adding entries changes no other demo data
    for index in range(min(account_count, SERVICE_ACCOUNTS)):
        name, domain, country, industry = _company(rng, index)
        tier = rng.choices(["high_touch", "mid_touch", "tech_touch"], weights=[2, 3, 5])[0]
        stage = rng.choices(["trial", "onboarding", "adopting", "mature", "renewal_due", "at_risk", "churned"],
                            weights=[1, 2, 3, 4, 2, 1, 1])[0]
        plan = _team_plan(country, tier, stage)
        parent = parents[rng.randrange(len(parents))] if parents and rng.random() < 0.15 else None
        with transaction.atomic():
            account = account_services.account_create(
                actor=SYSTEM, name=name, domain=domain, country=country, industry=industry,
                currency=names.CURRENCY[country], tier=tier, lifecycle_stage=stage, external_id=f"demo-{index + 1:06d}",
                owner=users[plan["am"]], team=teams["APAC" if country in ("KR", "CN") else "EMEA"], parent=parent,
                employee_band=rng.choice(["11-50", "51-200", "201-1000", "1001-5000"]),
                status_flags=["code_red"] if stage == "at_risk" else [])
            for role, email in plan.items():
                account_team.account_team_assign(actor=SYSTEM, account=account, role_code=role, user=users[email])
            account_contacts = []
            for contact_index in range(rng.randint(1, contacts_per_account)):
                first = rng.choice(names.FIRST_NAMES[country])
                last = rng.choice(names.LAST_NAMES[country])
                account_contacts.append(contact_services.contact_create(
                    actor=SYSTEM, account=account, first_name=first, last_name=last,
                    email=f"{_ascii(first)}.{_ascii(last)}{contact_index}@{domain}",
                    phones=[_phone(rng, country)],
                    title=rng.choice(names.TITLES),
                    buying_role=rng.choice(["champion", "decision_maker", "executive_sponsor", "user", "billing"]),
                    language=names.LANGUAGES[country], time_zone=names.TIME_ZONES[country]))
                created_contacts += 1
            log_demo_activities(rng=activity_rng, account=account, contacts=account_contacts,
                                authors=[users[email] for email in plan.values()])
        if parent is None and len(parents) < 12 and tier == "high_touch":
            parents.append(account)
        created_accounts += 1
    _demo_notifications(users)
    _demo_tasks(users)
    demo_collaboration(users)
    demo_pipeline(users, random.Random(seed * 31 + 5))  # its own stream, like the activities
    _demo_meetings(users)
    demo_tickets(users)
    demo_revenue(seed=seed)
    demo_renewals(users)
    if account_count > created_accounts:
        progress(f"  {created_accounts:,} accounts through the services; the rest in bulk…")
        bulk_accounts, bulk_contacts = _bulk(rng, created_accounts, account_count, contacts_per_account, users,
                                             teams, progress, activity_rng, BULK_ACTIVITIES[scale])
        created_accounts += bulk_accounts
        created_contacts += bulk_contacts
    demo_usage(seed=seed, progress=progress)
    demo_health(progress=progress)
    progress(f"Created {created_accounts:,} accounts and {created_contacts:,} contacts.")
    return DemoResult(users_created, created_accounts, created_contacts, False)


def _demo_notifications(users: dict[str, User]) -> None:
    """Every demo user follows two of their accounts and finds a few unread notifications in the inbox."""
    for user in users.values():
        accounts = list(Account.objects.filter(owner=user).order_by("id")[:2]) or list(
            Account.objects.filter(team_members__user=user).order_by("id")[:2])
        with transaction.atomic():
            notification_services.notify(
                recipients=[user], kind="system", title="Welcome to Tandem",
                body="Follow an account to hear about its stage changes, team changes and new activities.",
                url="/me/notifications/", actor=SYSTEM, event_key="demo:welcome")
            for account in accounts:
                notification_services.follow_create(actor=user, obj=account)
                notification_services.notify(
                    recipients=[user], kind="follow_activity", title=f"{account.name}: quarterly review scheduled",
                    body="The account team booked the next business review.",
                    url=f"/accounts/{account.public_id}/", source=account, actor=SYSTEM,
                    event_key=f"demo:review:{account.pk}")


def _demo_meetings(users: dict[str, User]) -> None:
    """A weekly CSM–AM sync on a few key accounts, and two meetings today for every demo user (cheap at any
    scale: a fixed number of rows)."""
    import datetime

    from django.utils import timezone

    from tandem.meetings import services as meeting_services
    from tandem.meetings.logic import zone

    key_accounts = list(Account.objects.filter(tier="high_touch", team_members__role__code="csm").filter(
        team_members__role__code="am").distinct().order_by("id")[:5])
    if key_accounts:
        meeting_services.weekly_syncs_create(actor=SYSTEM, accounts=key_accounts, weekday=2,
                                             local_time=datetime.time(10), duration_minutes=30,
                                             first_date=timezone.now().date(), time_zone="Europe/Berlin")
    people = sorted(users.values(), key=lambda user: user.email)
    for index in range(0, len(people), 2):  # pairs, so nobody is booked twice at the same hour
        user, colleague = people[index], people[(index + 1) % len(people)]
        local_day = timezone.now().astimezone(zone(user.time_zone or "UTC")).date()
        hours = (11, 15) if index + 1 < len(people) else (13, 16)  # the odd one out pairs with the first person
        for hour, title in zip(hours, ("Pipeline review", "Customer call prep"), strict=True):
            start = datetime.datetime.combine(local_day, datetime.time(hour), tzinfo=zone(user.time_zone or "UTC"))
            meeting_services.meeting_create(actor=SYSTEM, organiser=user, title=title, start=start,
                                            end=start + datetime.timedelta(minutes=30), attendees=[colleague],
                                            time_zone=user.time_zone or "UTC",
                                            agenda="1. Where we are\n2. Next steps")


def _demo_tasks(users: dict[str, User]) -> None:
    """A few tasks for every demo user on their accounts: one overdue, one due today, a weekly one with a
    reminder, one done (cheap at any scale: a fixed number per user)."""
    import datetime

    from django.utils import timezone

    from tandem.scheduling.tasks import services as task_services

    now = timezone.now()
    for user in sorted(users.values(), key=lambda person: person.email):
        accounts: list[Account | None] = [*Account.objects.filter(team_members__user=user).order_by("id")[:3]] or [None]
        with transaction.atomic():
            task_services.task_create(actor=SYSTEM, assignee=user, account=accounts[0], priority="high",
                                      title="Follow up on the open support escalation",
                                      due=now - datetime.timedelta(days=2, hours=3))
            task_services.task_create(actor=SYSTEM, assignee=user, account=accounts[-1],
                                      title="Send the QBR agenda", due=now.date())
            task_services.task_create(actor=SYSTEM, assignee=user, account=accounts[0], priority="normal",
                                      title="Check product usage", due=now + datetime.timedelta(days=3),
                                      recurrence="FREQ=WEEKLY", reminder_minutes=60)
            done = task_services.task_create(actor=SYSTEM, assignee=user, account=None, priority="low",
                                             title="Update my working hours", due=now - datetime.timedelta(days=5))
            task_services.task_complete(actor=SYSTEM, task=done)


def _bulk(rng: random.Random, start_index: int, account_count: int, contacts_per_account: int, users: dict[str, User],
          teams: dict[str, Team], progress: Callable[[str], None], activity_rng: random.Random,
          activities_per_account: int) -> tuple[int, int]:
    """Accounts number ``start_index`` to ``account_count - 1``, their account teams and contacts, in batches."""
    roles = {role.code: role for role in Role.objects.all()}
    contacts_total = 0
    for start in range(start_index, account_count, BATCH):
        batch = []
        plans = []
        for index in range(start, min(start + BATCH, account_count)):
            name, domain, country, industry = _company(rng, index)
            tier = rng.choices(["high_touch", "mid_touch", "tech_touch"], weights=[1, 3, 6])[0]
            stage = rng.choice(["onboarding", "adopting", "mature", "renewal_due", "at_risk"])
            plan = _team_plan(country, tier, stage)
            plans.append((plan, country, domain))
            batch.append(Account(
                name=name, domain=domain, country=country, industry=industry, currency=names.CURRENCY[country],
                tier=tier, lifecycle_stage=stage,
                external_id=f"demo-{index + 1:06d}", owner=users[plan["am"]],
                team=teams["APAC" if country in ("KR", "CN") else "EMEA"]))
        with transaction.atomic():
            accounts = Account.objects.bulk_create(batch)
            if accounts and accounts[0].pk is None:  # backends that do not return keys
                accounts = list(Account.objects.filter(external_id__in=[a.external_id for a in batch])
                                .order_by("external_id"))
            members, contacts = [], []
            for account, (plan, country, domain) in zip(accounts, plans, strict=True):
                for role_code, email in plan.items():
                    members.append(AccountTeamMember(account=account, user=users[email], role=roles[role_code]))
                for contact_index in range(contacts_per_account):
                    first = rng.choice(names.FIRST_NAMES[country])
                    last = rng.choice(names.LAST_NAMES[country])
                    contacts.append(Contact(
                        account=account, first_name=first, last_name=last,
                        email=f"{_ascii(first)}.{_ascii(last)}{contact_index}@{domain}",
                        phones=[normalise_phone(_phone(rng, country)).normalised],
                        title=rng.choice(names.TITLES), language=names.LANGUAGES[country],
                        time_zone=names.TIME_ZONES[country]))
            AccountTeamMember.objects.bulk_create(members)
            Contact.objects.bulk_create(contacts, batch_size=5_000)
            contacts_total += len(contacts)
            if activities_per_account:
                bulk_demo_activities(rng=activity_rng, accounts=accounts, per_account=activities_per_account,
                                     authors={account.pk: users[plan.get("csm", plan["am"])]
                                              for account, (plan, _country, _domain) in zip(accounts, plans,
                                                                                            strict=True)})
        progress(f"  {min(start + BATCH, account_count):,} / {account_count:,} accounts")
    return account_count - start_index, contacts_total
