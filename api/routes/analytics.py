"""Analytics for analysts and resource centres: graph statistics, a resource's neighbourhood, under-used assets,
unmet needs and impact."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["analytics"])
