"""Operating the platform: users, service health, feature flags and settings."""
