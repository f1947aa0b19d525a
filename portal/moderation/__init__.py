"""Moderation: the queue of staff input and the decisions on it."""
