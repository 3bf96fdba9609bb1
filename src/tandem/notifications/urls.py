from django.urls import path

from tandem.notifications import views

app_name = "notifications"
urlpatterns = [
    path("notifications/", views.notification_list, name="notification-list"),
    path("notifications/badge/", views.notification_badge, name="notification-badge"),
    path("notifications/read-all/", views.notification_read_all, name="notification-read-all"),
    path("notifications/<str:public_id>/open/", views.notification_open, name="notification-open"),
    path("notifications/<str:public_id>/read/", views.notification_read, name="notification-read"),
    path("me/notifications/", views.preference_edit, name="preference-edit"),
    path("me/follows/", views.follow_list, name="follow-list"),
    path("follows/toggle/", views.follow_toggle, name="follow-toggle"),
    path("admin/teams/<str:public_id>/chat-webhook/", views.team_webhook_edit, name="team-webhook-edit"),
    path("admin/notification-deliveries/", views.delivery_list, name="delivery-list"),
    path("admin/notification-deliveries/<int:row_id>/retry/", views.delivery_retry, name="delivery-retry"),
]
