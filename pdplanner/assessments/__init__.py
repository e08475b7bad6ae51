"""Assessment cycles, self-assessments, coach ratings, calibration and sharing."""
