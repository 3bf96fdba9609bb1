"""The Ninja API object: /api/v1/. Each app contributes one router from its api.py."""

from __future__ import annotations

from ninja import NinjaAPI

from tandem.access.api import router as access_router
from tandem.accounts.api import router as accounts_router
from tandem.api import errors
from tandem.api.auth import api_auth
from tandem.audit.api import router as audit_router
from tandem.collaboration.api import comments_router, handoffs_router
from tandem.collaboration.api import templates_router as handoff_templates_router
from tandem.contacts.api import router as contacts_router
from tandem.contracts.api import account_mrr_router as contracts_account_mrr_router
from tandem.contracts.api import exchange_rates_router as contracts_exchange_rates_router
from tandem.contracts.api import mrr_router as contracts_mrr_router
from tandem.contracts.api import price_books_router as contracts_price_books_router
from tandem.contracts.api import products_router as contracts_products_router
from tandem.contracts.api import subscriptions_router as contracts_subscriptions_router
from tandem.customfields.api import router as customfields_router
from tandem.files.api import router as files_router
from tandem.health.api import router as health_router
from tandem.identity.api import router as identity_router
from tandem.meetings.api import feed_router as meetings_feed_router
from tandem.meetings.api import router as meetings_router
from tandem.meetings.api import slots_router as meetings_slots_router
from tandem.meetings.api import sync_router as meetings_sync_router
from tandem.notifications.api import follows_router as notification_follows_router
from tandem.notifications.api import preferences_router as notification_preferences_router
from tandem.notifications.api import router as notifications_router
from tandem.notifications.api import team_webhooks_router as notification_team_webhooks_router
from tandem.pipeline.api import forecast_router as pipeline_forecast_router
from tandem.pipeline.api import leads_router as pipeline_leads_router
from tandem.pipeline.api import opportunities_router as pipeline_opportunities_router
from tandem.pipeline.api import pipelines_router as pipeline_pipelines_router
from tandem.quotas.api import router as quotas_router
from tandem.renewals.api import router as renewals_router
from tandem.scheduling.tasks.api import router as tasks_router
from tandem.search.api import router as search_router
from tandem.tickets.api import groups_router as ticket_groups_router
from tandem.tickets.api import hours_router as ticket_hours_router
from tandem.tickets.api import policies_router as ticket_policies_router
from tandem.tickets.api import router as tickets_router
from tandem.tickets.api import rules_router as ticket_rules_router
from tandem.timeline.api import router as timeline_router
from tandem.transfer.api import router as transfer_router
from tandem.usage.api import router as usage_router

api = NinjaAPI(
    title="Tandem API",
    version="1",
    description=(
        "The Tandem REST API. Authenticate with `Authorization: Bearer <token>` "
        "(create tokens with `tandem token create` or in the UI). Errors are RFC 9457 "
        "problem+json. Lists use cursor pagination: `?limit=&cursor=`."
    ),
    auth=api_auth,
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
)
errors.install(api)

api.add_router("", identity_router)
api.add_router("/accounts", accounts_router)
api.add_router("/contacts", contacts_router)
api.add_router("/activities", timeline_router)
api.add_router("/search", search_router)
api.add_router("", files_router)
api.add_router("/access", access_router)
api.add_router("/audit", audit_router)
api.add_router("/imports", transfer_router)
api.add_router("/custom-fields", customfields_router)
api.add_router("/notifications", notifications_router)
api.add_router("/notification-preferences", notification_preferences_router)
api.add_router("/follows", notification_follows_router)
api.add_router("/teams", notification_team_webhooks_router)
api.add_router("/comments", comments_router)
api.add_router("/handoffs", handoffs_router)
api.add_router("/handoff-templates", handoff_templates_router)
api.add_router("/tasks", tasks_router)
api.add_router("/leads", pipeline_leads_router)
api.add_router("/pipelines", pipeline_pipelines_router)
api.add_router("/opportunities", pipeline_opportunities_router)
api.add_router("/forecast", pipeline_forecast_router)
api.add_router("/renewals", renewals_router)
api.add_router("/quotas", quotas_router)
api.add_router("/meetings", meetings_router)
api.add_router("/free-slots", meetings_slots_router)
api.add_router("/calendar-feed", meetings_feed_router)
api.add_router("/calendar-sync", meetings_sync_router)
api.add_router("/events", usage_router)
api.add_router("/products", contracts_products_router)
api.add_router("/price-books", contracts_price_books_router)
api.add_router("/exchange-rates", contracts_exchange_rates_router)
api.add_router("/subscriptions", contracts_subscriptions_router)
api.add_router("/mrr", contracts_mrr_router)
api.add_router("/accounts", contracts_account_mrr_router)
api.add_router("/tickets", tickets_router)
api.add_router("/health", health_router)
api.add_router("/ticket-routing-rules", ticket_rules_router)
api.add_router("/ticket-sla-policies", ticket_policies_router)
api.add_router("/ticket-business-hours", ticket_hours_router)
api.add_router("/ticket-groups", ticket_groups_router)
