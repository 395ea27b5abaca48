"""Figures about the job search and the platform."""
