"""The campaign's pages, split by audience; ``urls.py`` names the view of each path."""
