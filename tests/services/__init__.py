"""Tests for kiosk.services."""
