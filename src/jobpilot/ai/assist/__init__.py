"""Writing help for a job seeker: extraction, tailoring, cover letters, screening answers.

Every output is checked against what the user has stated (`ai/grounding.py`) whether it came
from a language model or from the rules that work without one.
"""
