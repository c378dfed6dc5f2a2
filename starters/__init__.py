"""The starters: the blob trigger on the datasets container and the HTTP API (a blueprint each)."""
