"""The edge in front of the services: routes, auth check, rate limits, proxy."""
