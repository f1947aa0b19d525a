"""Who you are and what you may do: sign-in, sessions, users, roles and teams."""
