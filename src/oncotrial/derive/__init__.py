"""oncotrial.derive."""
