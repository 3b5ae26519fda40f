"""Loading files into the graph: parse (loaders/) -> validate and resolve (plan) -> write."""
