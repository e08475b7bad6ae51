"""The role-aware home pages: educator, coach, principal and district."""
