"""Tests for the Lobby Kiosk."""
