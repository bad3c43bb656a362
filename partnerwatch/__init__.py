"""partnerwatch: watch the EU Urban Agenda partnerships and report what changed."""

__version__ = "0.1.0"
