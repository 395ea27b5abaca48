"""JobPilot: find the right jobs and apply to them."""

__version__ = "0.1.0"
