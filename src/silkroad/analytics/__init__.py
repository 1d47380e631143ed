"""Analyses: functions from a store (and arguments) to tables. No printing, no files."""
