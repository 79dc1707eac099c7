"""Next-state signals: turning what follows an assistant action into learning signals."""
