"""URL map: the web UI, the API under /api/v1/, and /healthz."""

from django.urls import include, path

from tandem.api.health import healthz
from tandem.api.main import api

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("tandem.identity.urls")),
    path("", include("tandem.web.urls")),
    path("accounts/", include("tandem.accounts.urls")),
    path("contacts/", include("tandem.contacts.urls")),
    path("search/", include("tandem.search.urls")),
    path("files/", include("tandem.files.urls")),
    path("", include("tandem.notifications.urls")),
    path("timeline/", include("tandem.timeline.urls")),
    path("meetings/", include("tandem.meetings.urls")),
    path("", include("tandem.collaboration.urls")),
    path("", include("tandem.scheduling.urls")),
    path("tickets/", include("tandem.tickets.urls")),
    path("support/", include("tandem.tickets.webform_urls")),
    path("revenue/", include("tandem.contracts.urls")),
    path("health/", include("tandem.health.urls")),
    path("transfer/", include("tandem.transfer.urls")),
    path("", include("tandem.pipeline.urls")),
    path("", include("tandem.renewals.urls")),
    path("", include("tandem.quotas.urls")),
    path("admin/custom-fields/", include("tandem.customfields.urls")),
    path("admin/", include("tandem.access.urls")),
    path("audit/", include("tandem.audit.urls")),
]
