"""Hypothesis strategies shared by the property tests: any value openpyxl can hand over."""

from __future__ import annotations

from hypothesis import strategies as st

# Every CellValue type (models.CellValue): what a board member can put in a cell.
any_cell_value = st.one_of(
    st.none(),
    st.text(),
    st.integers(),
    st.floats(),
    st.booleans(),
    st.datetimes(),
    st.dates(),
    st.times(),
)
