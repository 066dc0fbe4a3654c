"""Anonymous clients are throttled; the rate comes from the settings at request time
(DSR_API_ANON_RATE in the environment), so it can be changed without a restart of
the class attributes."""

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle


class AnonThrottle(AnonRateThrottle):
    def get_rate(self):
        return settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {}).get(self.scope)

    def allow_request(self, request, view):
        # Read the rate on every request (settings may change in tests or per process).
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)
