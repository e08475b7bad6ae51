"""The audit log: who saw or changed which person's data, and when."""
