"""The runs page (GET /api/ui): static HTML, CSS and JavaScript modules shipped in the app."""
