from django.contrib import admin

from wellbeing.engage.models import Subscriber


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ["email", "created_at", "confirmed_at", "unsubscribed_at"]
    search_fields = ["email"]
    readonly_fields = ["created_at", "consent_text"]
