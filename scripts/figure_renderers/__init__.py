"""The renderers of scripts/update_figures.py, one module per domain; each module's ``BLOCKS`` maps its block names
to (JSON file under benchmarks/figures/, renderer, benchmark that writes the file)."""
