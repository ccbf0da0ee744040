"""BIZTEL Desk: links PBX call history and call recordings to Salesforce."""

__version__ = "0.1.0"
