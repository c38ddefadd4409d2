"""oncotrial.report."""
