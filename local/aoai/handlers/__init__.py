"""HTTP handlers: parse the request, call a model, serialize the answer. No domain rules here."""
