from django.db import models


class Subscriber(models.Model):
    """An e-mail address that asked for updates.

    Double opt-in (``confirmed_at``) and one-click unsubscribe arrive with the
    newsletter feature; until an address is confirmed nothing is sent to it.
    """

    email = models.EmailField(unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    consent_text = models.TextField(help_text="The wording the person agreed to, as shown.")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.email
