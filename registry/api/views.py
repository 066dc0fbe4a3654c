"""Thin viewsets: a queryset, a serializer and a filterset each. What they share is here
once: prefetches from the serializer, streamed CSV/GeoJSON, ETags and If-Match, writes
that answer 400/409 instead of 500."""

import hashlib
import json

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, RestrictedError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, renderers, status, viewsets
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from registry import models as m

from . import fastcsv, filtersets, serializers
from .pagination import KeysetPagination
from .renderers import CSVRenderer, GeoJSONRenderer, JSONRenderer, StreamingRenderer, fast_path, point, record_url


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The record changed since you read it (If-Match does not match its ETag). Read it again."
    default_code = "precondition_failed"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "protected"


def etag_matches(header, etag):
    if not header:
        return False
    tags = [tag.strip().removeprefix("W/") for tag in header.split(",")]
    return "*" in tags or etag in tags


class RecordViewSetMixin:
    """Lists, details and the formats every endpoint shares."""

    lookup_value_regex = "[0-9]+"
    pagination_class = KeysetPagination
    renderer_classes = [JSONRenderer, renderers.BrowsableAPIRenderer, CSVRenderer]

    def get_queryset(self):
        return self.get_serializer_class().optimize(self.queryset.all())

    # JSON pages from plain values (fastcsv), for as long as the serializer has exactly
    # these fields: (fields, records(ids, url_for, serializer) -> the page's records).
    list_fast_path = None

    def list(self, request, *args, **kwargs):
        if isinstance(request.accepted_renderer, StreamingRenderer):
            return request.accepted_renderer.stream(self, self.filter_queryset(self.get_queryset()))
        serializer = self.get_serializer()
        fast = fast_path(self, "list_fast_path", serializer)
        if fast is not None and isinstance(request.accepted_renderer, JSONRenderer):
            # The page's ids alone (no joins, no prefetches), then its records from values.
            page = self.paginate_queryset(self.filter_queryset(self.queryset.all()).only("pk"))
            return self.get_paginated_response(fast([record.pk for record in page], record_url(serializer), serializer))
        return super().list(request, *args, **kwargs)

    def etag(self, instance, data=None):
        version = getattr(instance, "version", None)
        if not version:
            if data is None:
                data = self.get_serializer(instance).data
            version = hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:32]
        return f'"{instance._meta.model_name}-{instance.pk}-{version}"'

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        data = None if getattr(instance, "version", None) else self.get_serializer(instance).data
        etag = self.etag(instance, data)
        if etag_matches(request.headers.get("If-None-Match"), etag):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
        if data is None:
            data = self.get_serializer(instance).data
        return Response(data, headers={"ETag": etag})

    def finalize_response(self, request, response, *args, **kwargs):
        # Errors are JSON whatever format was asked for.
        if response.status_code >= 400 and isinstance(getattr(request, "accepted_renderer", None), StreamingRenderer):
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = request.accepted_renderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)


class ReadOnlyRecordViewSet(RecordViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class RecordViewSet(RecordViewSetMixin, viewsets.ModelViewSet):
    """Writes: model permissions, model validation, If-Match, and history with the user
    (simple-history reads the user DRF authenticated from the request)."""

    def check_precondition(self, instance):
        header = self.request.headers.get("If-Match")
        if not header:
            return
        # Lock the row, so that two clients holding the same ETag cannot both write.
        current = (
            type(instance)._base_manager.select_for_update().filter(pk=instance.pk).values_list("updated", flat=True)
        )
        instance.updated = current.first()
        if not etag_matches(header, self.etag(instance)):
            raise PreconditionFailed()

    def save(self, serializer):
        try:
            with transaction.atomic():
                serializer.save()
        except IntegrityError as error:
            raise exceptions.ValidationError(
                {"non_field_errors": [f"The database refused the record: {error}".strip()]}
            ) from error

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.save(serializer)
        data = serializer.data
        headers = {"ETag": self.etag(serializer.instance), "Location": str(data["url"])}
        return Response(data, status=status.HTTP_201_CREATED, headers=headers)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        with transaction.atomic():
            instance = self.get_object()
            self.check_precondition(instance)
            serializer = self.get_serializer(instance, data=request.data, partial=partial)
            serializer.is_valid(raise_exception=True)
            self.save(serializer)
        # Relations may have changed: read them again rather than from the prefetch.
        serializers.forget_prefetched(serializer.instance)
        return Response(serializer.data, headers={"ETag": self.etag(serializer.instance)})

    def destroy(self, request, *args, **kwargs):
        with transaction.atomic():
            instance = self.get_object()
            self.check_precondition(instance)
            try:
                instance.delete()
            except (ProtectedError, RestrictedError) as error:
                raise Conflict(f"{error.args[0]}") from error
        return Response(status=status.HTTP_204_NO_CONTENT)


class GeoMixin:
    renderer_classes = RecordViewSetMixin.renderer_classes + [GeoJSONRenderer]


class CountryViewSet(ReadOnlyRecordViewSet):
    queryset = m.Country.objects.all()
    serializer_class = serializers.CountrySerializer
    filterset_class = filtersets.CountryFilterSet


class SourceViewSet(RecordViewSet):
    queryset = m.Source.objects.all()
    serializer_class = serializers.SourceSerializer
    filterset_class = filtersets.SourceFilterSet


class OrganizationViewSet(RecordViewSet):
    queryset = m.Organization.objects.all()
    serializer_class = serializers.OrganizationSerializer
    filterset_class = filtersets.OrganizationFilterSet


class AgreementViewSet(RecordViewSet):
    queryset = m.Agreement.objects.all()
    serializer_class = serializers.AgreementSerializer
    filterset_class = filtersets.AgreementFilterSet


class ProjectViewSet(RecordViewSet):
    queryset = m.Project.objects.all()
    serializer_class = serializers.ProjectSerializer
    filterset_class = filtersets.ProjectFilterSet


class LoanViewSet(RecordViewSet):
    queryset = m.Loan.objects.all()
    serializer_class = serializers.LoanSerializer
    filterset_class = filtersets.LoanFilterSet


class FinanceEstimateViewSet(RecordViewSet):
    queryset = m.FinanceEstimate.objects.all()
    serializer_class = serializers.FinanceEstimateSerializer
    filterset_class = filtersets.FinanceEstimateFilterSet


class CableViewSet(GeoMixin, RecordViewSet):
    """GeoJSON: one MultiPoint feature per cable, from its stations with coordinates."""

    queryset = m.SubmarineCable.objects.all()
    serializer_class = serializers.CableSerializer
    filterset_class = filtersets.CableFilterSet
    list_fast_path = (fastcsv.CABLE_FIELDS, fastcsv.cable_records)

    def geometry(self, record):
        points = [point(s["latitude"], s["longitude"]) for s in record["landing_stations"]]
        points = [p for p in points if p is not None]
        return {"type": "MultiPoint", "coordinates": points} if points else None


class LandingStationViewSet(GeoMixin, RecordViewSet):
    queryset = m.LandingStation.objects.all()
    serializer_class = serializers.LandingStationSerializer
    filterset_class = filtersets.LandingStationFilterSet
    records_fast_path = (fastcsv.STATION_FIELDS, fastcsv.landing_station_records)

    def geometry(self, record):
        coordinates = point(record["latitude"], record["longitude"])
        return {"type": "Point", "coordinates": coordinates} if coordinates else None


class CameraCountViewSet(RecordViewSet):
    queryset = m.CameraCount.objects.all()
    serializer_class = serializers.CameraCountSerializer
    filterset_class = filtersets.CameraCountFilterSet
    csv_fast_path = (fastcsv.CAMERA_COLUMNS, fastcsv.camera_count_rows)


ENDPOINTS = [
    ("countries", CountryViewSet),
    ("sources", SourceViewSet),
    ("organizations", OrganizationViewSet),
    ("agreements", AgreementViewSet),
    ("projects", ProjectViewSet),
    ("loans", LoanViewSet),
    ("finance-estimates", FinanceEstimateViewSet),
    ("cables", CableViewSet),
    ("landing-stations", LandingStationViewSet),
    ("camera-counts", CameraCountViewSet),
]


def basename(viewset):
    return viewset.queryset.model._meta.model_name


class ApiRoot(APIView):
    """The endpoints, the OpenAPI schema and the interactive docs."""

    permission_classes = [AllowAny]
    _ignore_model_permissions = True

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request, format=None):
        links = {prefix: reverse(f"api:{basename(viewset)}-list", request=request) for prefix, viewset in ENDPOINTS}
        links["schema"] = reverse("api:schema", request=request)
        links["docs"] = reverse("api:docs", request=request)
        return Response(links)
