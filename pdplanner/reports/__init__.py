"""PDF reports and data exports: what leaders and educators take away from pdplanner."""
