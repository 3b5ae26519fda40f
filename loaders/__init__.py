"""Input parsers: files in, raw records out (no validation, no database).

- :mod:`loaders.files`: CSV, JSON, JSONL and YAML files of the knowledge base's own kinds.
- :mod:`loaders.mapping`: any other CSV, JSON or JSONL file, through a YAML mapping (mappings/).
"""
