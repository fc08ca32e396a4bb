"""The standard set of charts exported by ``trafficking-stats charts`` (and ``make run``)."""

from __future__ import annotations

from .model import ChartSpec

__all__ = ["STANDARD_CHARTS"]

STANDARD_CHARTS: dict[str, ChartSpec] = {
    s.name: s
    for s in (
        ChartSpec.of("fresno-rescues-and-cases", "rescues_and_cases", geo_code="US-CA-fresno"),
        ChartSpec.of(
            "us-offenses-trend", "trend", metric="offenses_actual", geo_code="USA", dataset="fbi_cde"
        ),
        ChartSpec.of("us-offenses-by-source", "compare_reporters", metric="offenses_actual", geo_code="USA"),
        ChartSpec.of("mexico-convictions-trend", "trend", metric="convictions", geo_code="MEX"),
        ChartSpec.of("uk-2013-hidden-population", "hidden_population", table="uk2013_6lists"),
    )
}
