"""Azure OpenAI + ARM + Entra ID emulator: a local stand-in served over HTTPS (see docs/emulator.md)."""
