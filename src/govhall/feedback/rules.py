"""Pure rules of 好差评 (no database): levels, dimensions, bad-rating reasons, periods, the national
codes of the export.

Sources: 国办发〔2019〕51号 (the 好差评 system); GB/T 39734-2020 (levels, "一次一评、一事一评", Annex A
bad-rating reasons, Annex B published indicators) and GB/T 39735-2020, as summarised in the team's
domain notes (DOMAIN.md §4 and §10). The text of GB/T 39734 Annex A was not available to us: the
reason list below is a **placeholder to be completed from the standard**, built only from the rating
dimensions the notes name (one "not satisfied with …" reason per dimension, plus "other"). It does
not claim to be the standard's list; its codes are ours (``X…``) so that no report mistakes them for
the standard's.
"""

from __future__ import annotations

# score → (Chinese name, English name); the national 好差评 numbering: 5 best … 1 worst.
LEVELS: dict[int, tuple[str, str]] = {
    5: ("非常满意", "very satisfied"),
    4: ("满意", "satisfied"),
    3: ("基本满意", "fairly satisfied"),
    2: ("不满意", "dissatisfied"),
    1: ("非常不满意", "very dissatisfied"),
}
BAD_SCORES = (1, 2)
GOOD_SCORES = (4, 5)  # "good" in the published share: 满意 and 非常满意 (3 基本满意 counts as neither)

# Dimensions: the online ones cover 整体满意度 (the score itself) plus four; the window ones three.
ONLINE_DIMENSIONS: dict[str, tuple[str, str]] = {
    "efficiency": ("办事效率", "efficiency of handling"),
    "guide_accuracy": ("办事指南精确度", "accuracy of the guide"),
    "convenience": ("办事便捷度", "convenience"),
    "usability": ("平台操作性", "ease of use of the platform"),
}
WINDOW_DIMENSIONS: dict[str, tuple[str, str]] = {
    "service_efficiency": ("服务效率", "service efficiency"),
    "service_level": ("服务水平", "service quality"),
    "service_attitude": ("服务态度", "service attitude"),
}

# PLACEHOLDER (see the module docstring): to be replaced by GB/T 39734-2020 Annex A once its text is
# at hand. Codes are ours; the export carries the code and the Chinese label.
BAD_REASONS: dict[str, tuple[str, str]] = {
    "X01": ("办事效率不满意", "dissatisfied with the efficiency of handling"),
    "X02": ("办事指南不准确", "the guide was not accurate"),
    "X03": ("办事不便捷", "handling was not convenient"),
    "X04": ("平台不好操作", "the platform was hard to use"),
    "X05": ("窗口服务效率不满意", "dissatisfied with the window's efficiency"),
    "X06": ("窗口服务水平不满意", "dissatisfied with the window's service quality"),
    "X07": ("窗口服务态度不满意", "dissatisfied with the window staff's attitude"),
    "X99": ("其他（请在评价内容中说明）", "other (say what in the comment)"),
}
BAD_REASONS_ARE_PLACEHOLDER = True

# Rectification period in working days when no region sets one (5 in some cities; 15 in Sichuan).
DEFAULT_DAYS = 5
CONSULTATION_DAYS = 5  # working days to answer a consultation
COMPLAINT_DAYS = 10  # working days to reply to a complaint
REMIND_AFTER_DAYS = 3  # calendar days after the invitation (Anhui: unrated after 3 days)

# Our channel codes → the national 好差评 interface's (DOMAIN.md §4: 1 PC, 2 mobile, 3 QR code,
# 4 hall tablet, 5 other hall terminal / kiosk, 6 phone, 7 SMS).
NATIONAL_CHANNEL = {"pc": "1", "mobile": "2", "qr": "3", "tablet": "4", "kiosk": "5", "phone": "6", "sms": "7"}
# The national interface numbers satisfaction 1 very dissatisfied … 5 very satisfied, as we do;
# GB/T 39046 A.8 numbers it the other way (1 very satisfied … 5 very dissatisfied): both in the export.
NATIONAL_STAGE = {"accept": "1", "close": "2"}


def is_bad(score: int) -> bool:
    return score in BAD_SCORES


def gbt39046_satisfaction(score: int) -> int:
    """The GB/T 39046 A.8 code of a national score (the scale reversed)."""
    return 6 - score


def dimensions_for(channel: str) -> dict[str, tuple[str, str]]:
    """The dimensions a rater answers: the window's at a counter (tablet), the online ones otherwise."""
    return WINDOW_DIMENSIONS if channel == "tablet" else ONLINE_DIMENSIONS


def share(part: int, whole: int) -> float | None:
    """A share rounded to 4 decimals; None when there is nothing to divide (never a made-up 100%)."""
    return round(part / whole, 4) if whole else None
