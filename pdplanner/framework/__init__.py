"""Competency frameworks: domains, competencies, indicators, the scale and its descriptors."""
