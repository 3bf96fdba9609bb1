"""Demo renewals and quotas: the renewal specialist joins the team of every account whose subscription ends in
the next 180 days, the renewal engine runs once (so the renewals page, the home card and the timeline show
renewal opportunities with their playbook tasks), and the demo sales team gets this month's and quarter's quotas."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from tandem.access.decide import SYSTEM
from tandem.accounts.models import AccountTeamMember
from tandem.contracts.models import Subscription
from tandem.identity.models import Role, User
from tandem.quotas import services as quota_services
from tandem.renewals import engine

RENEWAL_SPECIALIST = "rick.renewal@demo.tandem"
QUOTAS = [  # (email, role, metric, period, target)
    ("amy.am@demo.tandem", "am", "bookings", "month", Decimal(10_000)),
    ("jun.am@demo.tandem", "am", "bookings", "month", Decimal(10_000)),
    ("amy.am@demo.tandem", "am", "bookings", "quarter", Decimal(30_000)),
    ("alex.ae@demo.tandem", "ae", "bookings", "month", Decimal(15_000)),
    ("sam.sdr@demo.tandem", "sdr", "calls", "month", Decimal(200)),
    ("sam.sdr@demo.tandem", "sdr", "opportunities", "month", Decimal(20)),
]


def demo_renewals(users: dict[str, User], *, today: datetime.date | None = None) -> None:
    day = today or timezone.localdate()
    specialist = users.get(RENEWAL_SPECIALIST)
    role = Role.objects.filter(code="renewal").first()
    if specialist is not None and role is not None:
        ending = (Subscription.objects.filter(status="active", end_date__gte=day,
                                              end_date__lte=day + datetime.timedelta(days=180))
                  .values_list("account_id", flat=True).distinct())
        staffed = set(AccountTeamMember.objects.filter(role=role).values_list("account_id", flat=True))
        AccountTeamMember.objects.bulk_create([AccountTeamMember(account_id=account_id, user=specialist, role=role)
                                               for account_id in set(ending) - staffed])
    engine.renewals_run(today=day)
    for email, role_code, metric, period, target in QUOTAS:
        user = users.get(email)
        if user is not None:
            quota_services.quota_set(actor=SYSTEM, user=user, role=role_code, metric=metric, period=period,
                                     period_start=day, target=target)
