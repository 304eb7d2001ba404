"""Segments: the saved segments page and the builder dialog."""
