"""docautomation: the association's Excel register in, its Word documents out."""

__version__ = "0.1.0"
