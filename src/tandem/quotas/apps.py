from django.apps import AppConfig


class QuotasConfig(AppConfig):
    name = "tandem.quotas"
    label = "quotas"

    def ready(self) -> None:
        from tandem.core.home import HomeCard, register_home_card
        from tandem.quotas import access, sections

        access.register()
        register_home_card(HomeCard(key="quota", order=4, template="quotas/home_card.html",
                                    context=sections.quota_card))
