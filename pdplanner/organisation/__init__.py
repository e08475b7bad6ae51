"""Districts, schools, people's roles in them, and coach caseloads."""
