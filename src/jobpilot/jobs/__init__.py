"""Job postings from the public boards of applicant-tracking systems, and their companies."""
