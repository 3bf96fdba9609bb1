from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "tandem.tickets"
    label = "tickets"
