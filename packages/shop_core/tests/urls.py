from django.contrib.auth.models import User
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import path
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from shop_core.bounds import BoundedDateTimeField
from shop_core.errors import ShopError
from shop_core.views import SafeParsingMixin, ShopAPIMixin


class StartSerializer(serializers.Serializer):
    start = BoundedDateTimeField()


class AnySerializer(serializers.Serializer):
    pass


class EchoView(SafeParsingMixin, GenericAPIView):
    serializer_class = AnySerializer
    authentication_classes: list = []
    permission_classes: list = []

    def post(self, request):
        return Response({"received": request.data})


class SoldOut(ShopError):
    status_code = 409
    default_code = "out_of_stock"


class ErrorsView(ShopAPIMixin, GenericAPIView):
    """Raises the error named by ``?raise=`` so each shape can be checked."""

    serializer_class = StartSerializer
    authentication_classes: list = []
    permission_classes: list = []

    def post(self, request):
        kind = request.query_params.get("raise")
        if kind == "field":
            raise ShopError("Too soon.", code="min_notice", field="start")
        if kind == "plain":
            raise SoldOut("Sold out.", extra={"lines": [{"offer": 1, "available": 0}]})
        if kind == "django":
            raise DjangoValidationError({"name": DjangoValidationError("Bad name.", code="bad")})
        if kind == "missing":
            User.objects.get(pk=-1)
        if kind == "bug":
            raise RuntimeError("a bug")
        serializer = StartSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response({"ok": True})


urlpatterns = [path("echo/", EchoView.as_view()), path("errors/", ErrorsView.as_view())]
