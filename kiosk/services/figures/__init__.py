"""三组数字: the programme's figures for a unit and a period, counted from the records."""

from kiosk.services.figures.core import Figures, by_building, by_category, count, weekly
from kiosk.services.figures.periods import Period, named

__all__ = ["Figures", "Period", "by_building", "by_category", "count", "named", "weekly"]
