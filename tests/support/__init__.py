"""Test helpers shared by several test packages: a fake network printer, an ESC/POS decoder."""
