"""Bring your own workbook: propose a mapping for an existing tracker (pmo-sync map)."""
