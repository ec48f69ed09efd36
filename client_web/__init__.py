"""dealroom.client_web: the browser client's static files, served by the server itself."""
