"""The browsable demo shop: server-rendered pages over the packages' public API."""
