"""Resumes parsed from PDF/DOCX, versioned, rendered from templates and exported."""
