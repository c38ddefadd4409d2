"""oncotrial.io."""
