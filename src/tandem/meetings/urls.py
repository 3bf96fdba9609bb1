from django.urls import path

from tandem.meetings import views

app_name = "meetings"
urlpatterns = [
    path("", views.calendar_week, name="calendar"),
    path("new/", views.meeting_create, name="meeting-create"),
    path("weekly-sync/", views.weekly_sync, name="weekly-sync"),
    path("free-slots/", views.free_slots, name="free-slots"),
    path("free-slots/book/", views.free_slot_book, name="free-slot-book"),
    path("settings/", views.calendar_settings, name="settings"),
    path("feed/<str:secret>", views.calendar_feed, name="calendar-feed"),
    path("<str:public_id>/", views.meeting_detail, name="meeting-detail"),
    path("<str:public_id>/edit/", views.meeting_edit, name="meeting-edit"),
    path("<str:public_id>/cancel/", views.meeting_cancel, name="meeting-cancel"),
    path("<str:public_id>/cancel-occurrence/", views.occurrence_cancel, name="occurrence-cancel"),
    path("<str:public_id>/delete/", views.meeting_delete, name="meeting-delete"),
]
