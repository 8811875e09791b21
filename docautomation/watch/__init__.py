"""Watching the inbox: the loop, intake of one saved file, the watcher's state and status."""
