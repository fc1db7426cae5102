from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView

from shop_core.views import SafeParsingMixin


class EchoView(SafeParsingMixin, APIView):
    authentication_classes: list = []
    permission_classes: list = []

    def post(self, request):
        return Response({"received": request.data})


urlpatterns = [path("echo/", EchoView.as_view())]
