"""Command-line tools: demo data, triage check, create-admin, the scheduler process, the roster rebuild."""
import sys

import click
from flask import Flask, current_app


def init_app(app: Flask) -> None:
    """Register the commands on the app."""
    app.cli.add_command(demo)
    app.cli.add_command(triage)
    app.cli.add_command(scheduler_command)
    app.cli.add_command(create_admin)
    app.cli.add_command(roster)


@click.command("demo")
@click.option("--reset", is_flag=True, help="Delete the demo clinic's data first (SQLite only).")
def demo(reset: bool) -> None:
    """Seed the demo clinic, staff, patients and caregiver; print the logins."""
    from companion.demo import PASSWORD, seed

    if not current_app.config["DEMO_MODE"]:
        raise click.ClickException("demo data is only for demo mode (COMPANION_DEMO=1)")
    accounts = seed()
    click.echo("\nDemo logins (password for all: %s)" % PASSWORD)
    for email, role in accounts:
        click.echo(f"  {role:<10} {email}")
    click.echo("")


@click.group("triage")
def triage() -> None:
    """Red-flag rules tools."""


@triage.command("check")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--superseded", type=click.Path(exists=True, dir_okay=False),
              help="YAML of vignettes in PATH whose expectation a later revision made stricter (id, was, expect, why).")
def triage_check(path: str, superseded: str | None) -> None:
    """Run vignettes through the rules; one line each, a summary, non-zero on any miss."""
    from companion.escalation import rules, vignettes

    try:
        loaded = vignettes.load(path)
        if superseded:
            loaded = vignettes.supersede(loaded, superseded)
    except ValueError as error:  # bad YAML, an unknown key or a misspelt value: name it, test nothing
        raise click.ClickException(str(error)) from error
    outcomes = vignettes.run(loaded, rules.evaluate)
    for outcome in outcomes:
        click.echo(vignettes.format_line(outcome))
    click.echo(vignettes.summary(outcomes))
    sys.exit(0 if all(o.ok for o in outcomes) else 1)


@click.command("scheduler")
def scheduler_command() -> None:
    """Run THE scheduler process (production: exactly one, beside gunicorn)."""
    from companion.scheduler import build_scheduler

    click.echo("Companion scheduler running; Ctrl-C to stop.")
    build_scheduler(current_app._get_current_object(), blocking=True).start()


@click.command("create-admin")
@click.option("--clinic", required=True, help="Clinic name (created if new).")
@click.option("--phone", required=True, help="Clinic phone number.")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.password_option()
def create_admin(clinic: str, phone: str, email: str, name: str, password: str) -> None:
    """Create a clinic admin (two-factor set-up is forced at first sign-in)."""
    from sqlalchemy import select

    from companion.accounts.models import Clinic, User
    from companion.accounts.passwords import check_new_password, hash_password
    from companion.extensions import db

    problem = check_new_password(password, (email, name))
    if problem:
        raise click.ClickException(problem)
    row = db.session.scalar(select(Clinic).where(Clinic.name == clinic)) or Clinic(name=clinic, phone=phone)
    db.session.add(row)
    db.session.flush()
    db.session.add(User(email=email.lower(), display_name=name, role="admin", clinic_id=row.id,
                        password_hash=hash_password(password)))
    db.session.commit()
    click.echo(f"Admin {email} created for {clinic}.")


@click.group("roster")
def roster() -> None:
    """The roster's per-patient summary rows."""


@roster.command("rebuild")
@click.option("--clinic-id", type=int, default=None, help="Only this clinic (default: every clinic).")
def roster_rebuild(clinic_id: int | None) -> None:
    """Recompute every summary row from the source tables (repair after a manual data fix); one transaction."""
    from companion.extensions import db
    from companion.roster import services

    written = services.rebuild(clinic_id)
    db.session.commit()
    click.echo(f"Rebuilt {written} roster summary rows.")
