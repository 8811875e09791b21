"""Reading a register workbook: file safety, sheet XML, rows, cell values, dates, Klart, interpretation."""
