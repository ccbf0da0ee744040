"""Dialogs of the admin window: Salesforce accounts and system settings."""
