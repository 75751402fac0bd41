"""Tests for the touchscreen (Flask client); tests/e2e drives it in a browser."""
