"""oncotrial.analysis."""
