"""The ``twin`` command line. Modules here import only typer at top level; the work is
imported inside each command so that ``twin --help`` stays fast."""
