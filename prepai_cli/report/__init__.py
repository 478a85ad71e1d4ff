"""Interview reports built from the stored turns."""
