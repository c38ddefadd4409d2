"""oncotrial.evidence."""
