"""silkroad: bilateral trade intelligence."""
__version__ = "0.1.0"
