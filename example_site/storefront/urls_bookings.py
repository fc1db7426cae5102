"""Bookings pages: specialists, the slot picker, my bookings, the specialist's desk."""

from django.urls import path

from .views import bookings

urlpatterns = [
    path("specialists/", bookings.specialists, name="specialists"),
    path("cabinet/bookings/", bookings.my_bookings, name="my_bookings"),
    path("desk/specialist/", bookings.specialist_desk, name="specialist_desk"),
]
