"""Tests of the printers package."""
