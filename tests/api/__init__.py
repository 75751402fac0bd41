"""Tests for the machine face."""
