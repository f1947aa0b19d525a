"""Closing the loop: what became of staff input, told back to staff."""
