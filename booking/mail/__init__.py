"""E-mail: Jinja templates per language (see `booking.mail.render`) and MIME assembly."""
