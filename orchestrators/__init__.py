"""The orchestrators: generator functions that only decide and wait (finetune, monitor)."""
