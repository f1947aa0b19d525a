"""Monitoring the improvement plan for the Health and Wellbeing Board."""
