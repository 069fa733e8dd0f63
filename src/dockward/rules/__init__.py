"""Rules: one module per rule (``dwNNN_name.py``), discovered automatically."""
