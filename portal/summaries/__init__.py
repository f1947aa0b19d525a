"""Themed summaries and exports for the improvement-planning seminar."""
