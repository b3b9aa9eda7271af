from __future__ import annotations

import pytest

from indexer.years import YearError, fiscal_years, parse_year, wareki


@pytest.mark.parametrize(
    ("value", "year"),
    [
        ("2022", 2022),
        ("2022年度", 2022),
        ("令和4年度", 2022),
        ("令和４年度", 2022),
        ("R4", 2022),
        ("令和元年", 2019),
        ("平成30年度", 2018),
        ("Ｒ５", 2023),
    ],
)
def test_parse_year_accepts_wareki_and_seireki(value, year):
    assert parse_year(value) == year


@pytest.mark.parametrize("value", ["", "来年", "令和4年度と令和5年度", "12345"])
def test_parse_year_rejects_with_the_accepted_forms(value):
    with pytest.raises(YearError, match="令和4年度"):
        parse_year(value)


def test_fiscal_years_in_text_and_ranges():
    assert fiscal_years("事業計画 令和3年度〜令和5年度") == {2021, 2022, 2023}
    assert fiscal_years("現状値(令和2年度): 800人、2024年度に見直し") == {2020, 2024}
    assert fiscal_years("3,550人") == set()
    assert fiscal_years("SDGs 目標3") == set()


def test_wareki_round_trip():
    assert wareki(2022) == "令和4年度" and parse_year(wareki(2022)) == 2022
    assert wareki(2019) == "令和元年度" and wareki(2018) == "平成30年度"
