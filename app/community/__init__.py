"""Community sharing: what leaves this machine must first be anonymized, previewed and signed."""
