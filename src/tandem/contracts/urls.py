from django.urls import path

from tandem.contracts import views

app_name = "contracts"
urlpatterns = [
    path("", views.revenue, name="revenue"),
    path("catalog/", views.catalog, name="catalog"),
    path("exchange-rates/", views.exchange_rates, name="exchange-rates"),
    path("subscriptions/new/", views.subscription_create, name="subscription-create"),
    path("subscriptions/<str:public_id>/", views.subscription_detail, name="subscription-detail"),
    path("subscriptions/<str:public_id>/amend/", views.subscription_amend, name="subscription-amend"),
    path("subscriptions/<str:public_id>/renew/", views.subscription_renew, name="subscription-renew"),
    path("subscriptions/<str:public_id>/churn/", views.subscription_churn, name="subscription-churn"),
    path("subscriptions/<str:public_id>/reactivate/", views.subscription_reactivate,
         name="subscription-reactivate"),
]
