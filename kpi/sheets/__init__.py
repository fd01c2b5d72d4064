"""The spreadsheet bridge: figures in from a workbook or CSV (kpi import), a workbook to fill
(kpi template), and the plan out as a workbook (kpi export).

Reading a sheet (read.py), turning its rows into figures (rows.py) and writing workbooks
(workbook.py) are separate; only read.py and workbook.py import openpyxl, and only when a
command needs them.
"""
