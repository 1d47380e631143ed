"""Readers of external formats: each turns files into canonical rows plus rejected rows."""
