"""`quizloop remote ...`: commands on api.client (see api/remote/app.py for options and exit
statuses). Importing the package registers every command on `remote_app`."""

from api.remote import account, code, grades, setup
from api.remote.app import remote_app

__all__ = ["account", "code", "grades", "remote_app", "setup"]
