"""Starting a year: a Word plan imported into a register, and a register rolled over to the next."""
