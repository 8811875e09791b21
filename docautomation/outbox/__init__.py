"""The outbox: atomic writes, the manifest, the build record, kept register versions, PDFs."""
