"""Curator tools: scoring evaluation files and grouping what users asked for review."""
