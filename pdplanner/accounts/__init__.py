"""Users, roles, sign-in, sessions and one-time set-password links."""
