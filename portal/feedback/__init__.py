"""Staff input on the areas for improvement: named, anonymous or facilitated."""
