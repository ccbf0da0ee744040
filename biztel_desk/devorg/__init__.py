"""devorg layer."""
