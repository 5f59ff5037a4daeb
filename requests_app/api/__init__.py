"""The JSON API: public appointment requests, and the staff queue."""
