"""Documents: which outputs a register gives, their contexts, the template engine, calendars."""
