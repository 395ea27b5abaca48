"""The auth service's JSON routes."""

from fastapi import APIRouter

router = APIRouter(tags=["auth"])
