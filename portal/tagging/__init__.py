"""Coding approved input to the recommendations and to themes."""
