"""Planning: district planning settings, the resource catalogue, goals, lanes, cohorts and paths."""
