"""三组数字: the programme's figures for a unit and a period, counted from the records."""

from kiosk.services.figures.core import DepartmentFigures, Figures, by_department, count
from kiosk.services.figures.periods import Period, named
from kiosk.services.figures.slices import by_building, by_category, by_source, weekly

__all__ = [
    "DepartmentFigures",
    "Figures",
    "Period",
    "by_building",
    "by_category",
    "by_department",
    "by_source",
    "count",
    "named",
    "weekly",
]
