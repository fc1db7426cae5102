from django.contrib import admin

from .models import EmailUser

admin.site.register(EmailUser, search_fields=["contact_email"])
