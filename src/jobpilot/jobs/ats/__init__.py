"""Adapters for the public job boards of applicant-tracking systems, one module per ATS."""
