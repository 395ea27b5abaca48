"""The resumes service's JSON routes."""

from fastapi import APIRouter

router = APIRouter(tags=["resumes"])
