"""Business logic as plain functions: views, the API, the admin and tasks call these."""
