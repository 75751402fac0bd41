"""Tests for kiosk.public."""
