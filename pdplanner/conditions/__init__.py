"""District conditions for scale: the conditions framework, reviews and their analysis (SPEC section 13)."""
