from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "wellbeing.accounts"
    label = "accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from wellbeing.accounts.middleware import mark_session

        user_logged_in.connect(mark_session, dispatch_uid="wellbeing.accounts.mark_session")
