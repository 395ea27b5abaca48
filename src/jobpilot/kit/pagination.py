"""Paged responses: one shape for every list endpoint."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel, Field

T = TypeVar("T")

MAX_LIMIT = 100


class PageParams(BaseModel):
    """Where a page starts and how long it is."""

    offset: int = Field(default=0, ge=0)
    limit: int = Field(default=20, ge=1, le=MAX_LIMIT)


def page_params(
    offset: Annotated[int, Query(ge=0, description="Items to skip.")] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page.")] = 20,
) -> PageParams:
    """Read `offset` and `limit` from the query string."""
    return PageParams(offset=offset, limit=limit)


class Page(BaseModel, Generic[T]):
    """One page of a list, with the total count."""

    items: list[T]
    total: int
    offset: int
    limit: int
