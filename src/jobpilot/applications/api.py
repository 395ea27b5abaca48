"""The auto-apply service's JSON routes."""

from fastapi import APIRouter

router = APIRouter(tags=["auto-apply"])
