"""Watches integrations and says when one breaks."""
