from django.urls import path

from tandem.collaboration import views

app_name = "collaboration"
urlpatterns = [
    path("comments/mentions/", views.mention_suggestions, name="mention-suggestions"),
    path("comments/on/<slug:object_type>/<str:object_id>/", views.record_comments, name="record-comments"),
    path("comments/<str:public_id>/", views.comment_open, name="comment-open"),
    path("comments/<str:public_id>/edit/", views.comment_edit, name="comment-edit"),
    path("comments/<str:public_id>/delete/", views.comment_delete, name="comment-delete"),
    path("handoffs/start/<str:public_id>/", views.handoff_start, name="handoff-start"),
    path("handoffs/<str:public_id>/", views.handoff_detail, name="handoff-detail"),
    path("handoffs/<str:public_id>/checklist/", views.handoff_tick, name="handoff-tick"),
    path("handoffs/<str:public_id>/accept/", views.handoff_accept, name="handoff-accept"),
    path("handoffs/<str:public_id>/decline/", views.handoff_decline, name="handoff-decline"),
    path("handoffs/<str:public_id>/cancel/", views.handoff_cancel, name="handoff-cancel"),
    path("admin/handoff-templates/", views.template_list, name="template-list"),
    path("admin/handoff-templates/<str:public_id>/", views.template_edit, name="template-edit"),
]
