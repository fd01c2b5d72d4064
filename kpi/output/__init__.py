"""The output layer: results as a terminal table, JSON, CSV, Markdown, an HTML, PDF or Word report,
a chart or a slide. It never loads a data file (tests/test_layers.py)."""
