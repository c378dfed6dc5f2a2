"""The schema tier: emulator answers validated against the published contracts."""
