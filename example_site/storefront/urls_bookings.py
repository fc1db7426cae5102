"""Bookings pages: specialists, the slot picker, my bookings, the specialist's desk."""

from django.urls import path

from .views import bookings

urlpatterns = [
    path("specialists/", bookings.specialists, name="specialists"),
    path("specialists/services/<int:pk>/", bookings.service_page, name="booking_service"),
    path("cabinet/bookings/", bookings.my_bookings, name="my_bookings"),
    path("cabinet/bookings/<int:pk>/cancel/", bookings.cancel, name="booking_cancel"),
    path("cabinet/bookings/<int:pk>/reschedule/", bookings.reschedule, name="booking_reschedule"),
    path("desk/specialist/", bookings.specialist_desk, name="specialist_desk"),
    path(
        "desk/specialist/bookings/<int:pk>/status/",
        bookings.desk_status,
        name="desk_booking_status",
    ),
    path("desk/specialist/hours/", bookings.desk_add_hours, name="desk_hours"),
    path(
        "desk/specialist/hours/<int:pk>/delete/",
        bookings.desk_delete_hours,
        name="desk_hours_delete",
    ),
    path("desk/specialist/exceptions/", bookings.desk_add_exception, name="desk_exceptions"),
    path(
        "desk/specialist/exceptions/<int:pk>/delete/",
        bookings.desk_delete_exception,
        name="desk_exception_delete",
    ),
]
