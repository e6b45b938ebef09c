"""Content files: nodes, lesson files, templates and the curriculum's names, read safely."""
