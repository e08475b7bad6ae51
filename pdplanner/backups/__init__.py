"""Backups: the database, evidence files and stored rosters in one verified archive."""
