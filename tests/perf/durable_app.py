"""The minimal durable write a check-in competes with: Flask + Flask-SQLAlchemy on the same gunicorn and PostgreSQL
that reads the signed session, checks CSRF, inserts one row, commits and returns a small fragment."""
import os
import uuid
from datetime import datetime, timezone

from flask import Flask, abort, render_template_string, request, session
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect, generate_csrf
from sqlalchemy import JSON, DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

app = Flask(__name__)
app.config.update(SECRET_KEY=os.environ.get("SECRET_KEY", "bench-secret"),
                  SQLALCHEMY_DATABASE_URI=os.environ["DATABASE_URL"],
                  SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True})  # the same pool settings as the app's
db = SQLAlchemy(app)
CSRFProtect(app)
FRAGMENT = '<p data-entry-saved="{{ id }}">Saved. Pain {{ pain }} at {{ at }}.</p>'


class DurableWrite(db.Model):
    """One posted form, as a check-in row is: who, when, the answers, a unique client id."""

    __tablename__ = "bench_durable_write"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, index=True)
    client_entry_id: Mapped[str] = mapped_column(String(36), unique=True)
    answers: Mapped[dict] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))




@app.get("/durable")
def start():
    """Sign a session for a made-up user and hand out the CSRF token (the sign-in stand-in)."""
    session["uid"] = int(request.args.get("uid", "1"))
    return {"csrf": generate_csrf()}


@app.post("/durable")
def write():
    """Read the signed session, (CSRF checked by CSRFProtect), insert one row, commit, answer a fragment."""
    uid = session.get("uid")
    if uid is None:
        abort(403)
    row = DurableWrite(user_id=uid, client_entry_id=request.form.get("client_entry_id") or str(uuid.uuid4()),
                       answers={k: v for k, v in request.form.items() if k != "csrf_token"},
                       received_at=datetime.now(timezone.utc))
    db.session.add(row)
    db.session.commit()
    return render_template_string(FRAGMENT, id=row.id, pain=row.answers.get("pain_now"), at=row.received_at)


if __name__ == "__main__":  # `python -m tests.perf.durable_app`: create the table once, before the workers start
    with app.app_context():
        db.create_all()
