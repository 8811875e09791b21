"""Developer tools kept beside the package, not shipped in it."""
