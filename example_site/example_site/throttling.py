from rest_framework.throttling import UserRateThrottle


class BurstRateThrottle(UserRateThrottle):
    """A per-minute cap for everyone (by user, or by IP when anonymous)."""

    scope = "burst"
