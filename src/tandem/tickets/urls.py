from django.urls import URLPattern, path

from tandem.tickets import config_views, mail_views, views

app_name = "tickets"
urlpatterns: list[URLPattern] = [
    path("", views.ticket_queue, name="ticket-queue"),
    path("new/", views.ticket_create, name="ticket-create"),
    path("bulk/", views.ticket_bulk, name="ticket-bulk"),
    path("reports/", views.ticket_report, name="ticket-report"),
    path("settings/", views.ticket_settings, name="ticket-settings"),
    path("settings/rules/new/", config_views.rule_create, name="rule-create"),
    path("settings/rules/<str:public_id>/", config_views.rule_edit, name="rule-edit"),
    path("settings/rules/<str:public_id>/delete/", config_views.rule_delete, name="rule-delete"),
    path("settings/rules/<str:public_id>/move/", config_views.rule_move, name="rule-move"),
    path("settings/policies/new/", config_views.policy_create, name="policy-create"),
    path("settings/policies/<str:public_id>/", config_views.policy_edit, name="policy-edit"),
    path("settings/policies/<str:public_id>/delete/", config_views.policy_delete, name="policy-delete"),
    path("settings/hours/new/", config_views.hours_create, name="hours-create"),
    path("settings/hours/<str:public_id>/", config_views.hours_edit, name="hours-edit"),
    path("settings/hours/<str:public_id>/delete/", config_views.hours_delete, name="hours-delete"),
    path("settings/groups/new/", config_views.group_create, name="group-create"),
    path("settings/groups/<str:public_id>/", config_views.group_edit, name="group-edit"),
    path("settings/groups/<str:public_id>/delete/", config_views.group_delete, name="group-delete"),
    path("mail/held/", mail_views.held_list, name="mail-held"),
    path("mail/held/<int:pk>/accept/", mail_views.held_accept, name="mail-held-accept"),
    path("mail/held/<int:pk>/discard/", mail_views.held_discard, name="mail-held-discard"),
    path("<str:public_id>/", views.ticket_detail, name="ticket-detail"),
    path("<str:public_id>/reply/", views.ticket_reply, name="ticket-reply"),
    path("<str:public_id>/note/", views.ticket_note, name="ticket-note"),
    path("<str:public_id>/escalate/", views.ticket_escalate, name="ticket-escalate"),
    path("<str:public_id>/assign/", views.ticket_assign, name="ticket-assign"),
    path("<str:public_id>/hand-to-csm/", views.ticket_hand_to_csm, name="ticket-hand-to-csm"),
    path("<str:public_id>/change/", views.ticket_change, name="ticket-change"),
    path("<str:public_id>/satisfaction/", views.ticket_satisfaction, name="ticket-satisfaction"),
    path("<str:public_id>/delete/", views.ticket_delete, name="ticket-delete"),
]
