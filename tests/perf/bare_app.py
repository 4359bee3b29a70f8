"""A bare Flask endpoint: the framework's own ceiling under the same gunicorn configuration."""
from flask import Flask

app = Flask(__name__)


@app.post("/bare")
def bare():
    """Accept a small form post and answer, doing nothing else."""
    return "ok"


@app.get("/bare")
def bare_get():
    """The same, for GET."""
    return "ok"
