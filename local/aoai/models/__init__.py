"""State and lifecycle rules of the emulated services: plain records, no HTTP."""
