"""Accounts, sign-in (password, GitHub, LinkedIn), two-factor, sessions and signed tokens."""
