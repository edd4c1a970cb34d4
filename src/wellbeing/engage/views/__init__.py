"""The engage app's views, one module per subject."""
