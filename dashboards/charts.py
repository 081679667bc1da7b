"""The dashboards' charts: `infra.charts` (moved there so the public open-data page
draws its charts the same way; kept here so the dashboards' imports stay put)."""

from infra.charts import bar_chart

__all__ = ["bar_chart"]
