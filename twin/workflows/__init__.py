"""End-to-end jobs that chain ingest, engines and reports."""
