"""The pure planning core: plain data in, plain data out.

It imports only the standard library and pandas (reportlab in charts), never Flask, SQLAlchemy
or another pdplanner package, so every rule can be unit-tested with plain values and run over a
whole district at once. tests/test_layering.py enforces this.
"""
