"""oncotrial.design."""
