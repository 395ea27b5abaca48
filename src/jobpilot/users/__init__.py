"""Profiles, the skill hierarchy, subscription tiers and avatars."""
