"""Licence printing: the A4 business licence as a PDF, and where it goes (CUPS, a spool folder)."""
