"""The improvement plan: actions answering each recommendation, with their evidence."""
