"""Application tracking, auto-apply rules and the workers that submit applications."""
