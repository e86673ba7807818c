"""Rules that span rows, checked by every service that writes (the database holds the rest)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from backend.models import FinancingParty

LBF_MAX_SHARE = Decimal("75")
LOCAL_MIN_SHARE = Decimal("25")


def financing_problems(shares: Iterable[tuple[FinancingParty, Decimal]]) -> list[str]:
    """What is wrong with one year's financing split: empty when shares sum to 100 % and LBF <= 75 %."""
    shares = list(shares)
    problems = []
    total = sum((s for _, s in shares), Decimal("0"))
    if total != Decimal("100"):
        problems.append(f"shares sum to {total} %, not 100 %")
    lbf = sum((s for p, s in shares if p == FinancingParty.LANDSBYGGEFONDEN), Decimal("0"))
    if lbf > LBF_MAX_SHARE:
        problems.append(f"Landsbyggefonden's share is {lbf} %, more than {LBF_MAX_SHARE} %")
    if total - lbf < LOCAL_MIN_SHARE and total == Decimal("100"):
        problems.append(f"local co-financing is {total - lbf} %, less than {LOCAL_MIN_SHARE} %")
    return problems


def focus_area_fits_plan(focus_area_generation_id: int, plan_generation_id: int) -> bool:
    """An activity's (or goal's, or sub-agreement's) focus area must belong to its plan's generation."""
    return focus_area_generation_id == plan_generation_id
