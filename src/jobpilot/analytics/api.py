"""The analytics service's JSON routes."""

from fastapi import APIRouter

router = APIRouter(tags=["analytics"])
