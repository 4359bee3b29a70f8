"""The one writer of audit events."""
from flask import g, has_request_context, request
from flask_login import current_user

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from companion.audit.models import AuditEvent, RefusalCount
from companion.clock import utcnow
from companion.db import commit_keeping_loaded
from companion.extensions import db


def client_ip() -> str:
    """The caller's address (ProxyFix sets it behind a proxy)."""
    return (request.remote_addr or "") if has_request_context() else ""


def record(action: str, *, patient_id: int | None = None, object_type: str = "", object_id: object = "",
           outcome: str = "ok", user=None, clinic_id: int | None = None, **detail) -> AuditEvent:
    """Add an audit event to the current transaction (the caller's commit writes it)."""
    actor = user
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user
    event = AuditEvent(
        action=action,
        user_id=getattr(actor, "id", None),
        role=getattr(actor, "role", ""),
        clinic_id=clinic_id if clinic_id is not None else getattr(actor, "clinic_id", None),
        patient_id=patient_id,
        object_type=object_type,
        object_id=str(object_id or ""),
        ip=client_ip(),
        outcome=outcome,
        detail=detail,
    )
    db.session.add(event)
    if outcome == "refused" and has_request_context():
        g.access_refused_recorded = True  # the 404 handler then does not record the refusal twice
    return event


def record_now(action: str, **kwargs) -> None:
    """Write an audit event in its own commit (views of data, failed sign-ins)."""
    record(action, **kwargs)
    # The page's rows were read in this request; expiring them on this commit would reload each one
    # as the template touches it (one query per roster row). Audit rows are append-only, so keep them.
    commit_keeping_loaded(db.session())


def count_refusal(kind: str) -> int:
    """Count a refused request (e.g. a post without its CSRF token) per kind, day and address in one row; the
    first of each day is also an audit event (a flood adds to a count, not thousands of rows); commits."""
    now, ip = utcnow(), client_ip()[:64]
    key = (RefusalCount.kind == kind, RefusalCount.day == now.date(), RefusalCount.ip == ip)
    db.session.rollback()  # nothing the refused request did is kept
    if db.session.execute(update(RefusalCount).where(*key).values(count=RefusalCount.count + 1, last_at=now)
                          .execution_options(synchronize_session=False)).rowcount == 0:
        db.session.add(RefusalCount(kind=kind, day=now.date(), ip=ip, count=1, last_at=now))
        record(kind, outcome="refused", path=request.path[:200] if has_request_context() else "")
        try:
            db.session.commit()
        except IntegrityError:  # another worker counted the first one at the same moment
            db.session.rollback()
            return count_refusal(kind)
    else:
        db.session.commit()
    return db.session.scalar(select(RefusalCount.count).where(*key)) or 0
