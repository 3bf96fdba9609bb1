"""Test data for the timeline: activities written directly (the services are tested on their own)."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from tandem.timeline.logic import render_markdown
from tandem.timeline.models import Activity


def activity_make(*, account: Any, type: str = "call", subject: str = "Check-in", body: str = "",
                  minutes_ago: int = 0, created_by: Any = None, contacts: tuple[Any, ...] = ()) -> Activity:
    activity = Activity.objects.create(account=account, type=type, subject=subject, body=body,
                                       body_html=render_markdown(body), created_by=created_by,
                                       occurred_at=timezone.now() - datetime.timedelta(minutes=minutes_ago))
    if contacts:
        activity.contacts.set(contacts)
    return activity


def eml(*, subject: str = "Renewal question", sender: str = "jane@contoso.example",
        to: str = "carla@example.test", attachment: tuple[str, bytes] | None = None,
        message_id: str = "<m1@contoso.example>") -> bytes:
    from email.message import EmailMessage

    message = EmailMessage()
    message["From"] = f"Jane Doe <{sender}>"
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = "Tue, 03 Nov 2026 09:30:00 +0100"
    message["Message-ID"] = message_id
    message.set_content("Hello Carla,\n\ncan we talk about the **renewal**?\n\nJane")
    if attachment:
        name, data = attachment
        message.add_attachment(data, maintype="application", subtype="pdf", filename=name)
    return message.as_bytes()
