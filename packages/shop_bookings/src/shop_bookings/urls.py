"""URLs of shop_bookings; the site mounts them with include("shop_bookings.urls")."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from . import views

app_name = "shop_bookings"

router = DefaultRouter()
router.register("specialists", views.SpecialistViewSet, basename="specialist")
router.register("services", views.ServiceViewSet, basename="service")
router.register("working-hours", views.WorkingHoursViewSet, basename="working-hours")
router.register(
    "schedule-exceptions", views.ScheduleExceptionViewSet, basename="schedule-exception"
)
router.register("bookings", views.BookingViewSet, basename="booking")
router.register("holds", views.HoldViewSet, basename="hold")

urlpatterns = [
    path("feed-token/", views.FeedTokenView.as_view(), name="feed-token"),
    path("feeds/<str:token>.ics", views.FeedView.as_view(), name="feed"),
    *router.urls,
]
