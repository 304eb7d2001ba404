"""crmdesk: a desktop customer book for small shop owners."""

__version__ = "0.1.0"
