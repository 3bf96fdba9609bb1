"""The free-slot finder's read: people's working hours, meetings and synced busy time, handed to the pure
finder in logic.py."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _

from tandem.core.exceptions import ValidationFailed
from tandem.identity.models import User
from tandem.meetings import selectors
from tandem.meetings.logic import Availability, Slot, free_slots, is_time_zone

MAX_DAYS = 60
MAX_COUNT = 50


def free_slots_for(*, actor: Any, users: Sequence[User], length_minutes: int, days: int, count: int,
                   now: datetime.datetime) -> list[Slot]:
    """The next ``count`` common free slots of ``users`` (two or more) from ``now``."""
    errors: dict[str, list[str]] = {}
    if len(set(users)) < 2:
        errors["users"] = [_("Choose at least two people.")]
    if not 5 <= length_minutes <= 480:
        errors["length"] = [_("The length is between 5 and 480 minutes.")]
    if not 1 <= days <= MAX_DAYS:
        errors["days"] = [_("Look between 1 and %(limit)d days ahead.") % {"limit": MAX_DAYS}]
    if not 1 <= count <= MAX_COUNT:
        errors["count"] = [_("Ask for 1 to %(limit)d slots.") % {"limit": MAX_COUNT}]
    if errors:
        raise ValidationFailed(_("The slot search is invalid."), errors=errors)
    end = now + datetime.timedelta(days=days)
    busy = selectors.busy_of(users=users, start=now, end=end)
    hours = selectors.working_hours_of(users=users)
    people = []
    for user in dict.fromkeys(users):
        row = hours[user.pk]
        people.append(Availability(key=user.public_id,
                                   time_zone=user.time_zone if is_time_zone(user.time_zone) else "UTC",
                                   days=frozenset(row.days or [1, 2, 3, 4, 5]), day_start=row.day_start,
                                   day_end=row.day_end, busy=tuple(busy[user.pk])))
    return free_slots(people, length=datetime.timedelta(minutes=length_minutes), start=now, days=days, count=count)
