"""The demo district of `seed demo`: realistic people, coaches with caseloads, principals."""
