"""Engagement rounds: when staff are asked for input, and on which areas."""
