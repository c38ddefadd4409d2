"""oncotrial.stats."""
