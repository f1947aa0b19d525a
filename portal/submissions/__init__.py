"""The submission lifecycle, one floor below the journey stages."""
