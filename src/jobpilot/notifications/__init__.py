"""Messages to users by email, push and in-app."""
