"""The inspection framework: inspections, areas for improvement, recommendations."""
