"""Turn bench results into the README's performance table (between the bench markers)."""
from pathlib import Path

START, END = "<!-- bench:start -->", "<!-- bench:end -->"


def _ms(row: dict | None, key: str) -> str:
    """A latency in ms, or a dash."""
    return f"{row[key]:.0f} ms" if row and row.get(key) is not None else "–"


def _ok(flag: bool) -> str:
    """Met or missed."""
    return "met" if flag else "**missed**"


def table(r: dict) -> str:
    """The Markdown table with targets."""
    meta, c50, cmax, bare = r["meta"], r["checkin_50"], r["checkin_max"], r["bare_max"]
    ratio = cmax["rps"] / bare["rps"] if bare["rps"] else 0
    lines = [f"Measured {meta['date']} on {meta['machine']}, {meta['cpus']} cores, gunicorn {meta['workers']} gthread "
             f"workers x 4 threads, PostgreSQL 15, the scheduler process running; load generator on the same cores "
             f"(loopback only). Full run: {meta['minutes']} minutes{' (BENCH_QUICK)' if meta['quick'] else ''}; "
             f"load average before the run {meta.get('load_before', '?')}. Load figures are the steady state: users "
             f"start 5 a second and sign in (Argon2id) during the first {meta.get('warmup', 0)} s, which are "
             f"counted apart (`out/bench/*_stats.csv`, rows named \"(warm-up)\").", "",
             "| figure | result | baseline / target | |", "|---|---|---|---|"]
    lines.append(f"| check-in post at 50 users (0.5–1.5 s think time) | p50 {_ms(c50, 'p50')}, p95 {_ms(c50, 'p95')}, "
                 f"p99 {_ms(c50, 'p99')}, {c50['rps']:.0f} req/s, {c50['failures']} errors | p95 < 100 ms | "
                 f"{_ok(c50['p95'] < 100 and c50['failures'] == 0)} |")
    durable = r.get("durable_max")
    if durable:  # the honest baseline: what one durable write costs with nothing of the check-in's own work
        share = cmax["rps"] / durable["rps"] if durable["rps"] else 0
        lines.append(f"| check-in throughput (50 users, no think time) | {cmax['rps']:.0f} req/s (p95 "
                     f"{_ms(cmax, 'p95')}), {cmax['failures']} errors | minimal durable write (signed session, "
                     f"CSRF, one row, commit; same gunicorn and PostgreSQL): {durable['rps']:.0f} req/s (p95 "
                     f"{_ms(durable, 'p95')}); check-in {share:.0%} of it (target ≥ 50%) | {_ok(share >= 0.5)} |")
    lines.append(f"| framework ceiling (constant-returning Flask, same gunicorn) | {bare['rps']:.0f} req/s | "
                 f"for scale only: check-in {ratio:.0%} of it, not a target | |")
    for label, seed in (("1k", r["seed_1k"]), ("full", r["seed_full"])):
        pages = r.get(f"pages_{label}", {})
        total = seed["patients"] + (r["seed_1k"]["patients"] if label == "full" else 0)
        entries = seed["entries"] + (r["seed_1k"]["entries"] if label == "full" else 0)
        p95s = ", ".join(f"{name} {_ms(row, 'p95')}" for name, row in pages.items())
        worst = max((row["p95"] for row in pages.values()), default=0)
        lines.append(f"| pages p95, {total:,} patients / {entries:,} entries (10 nurses) | {p95s} | < 100 ms | "
                     f"{_ok(worst < 100)} |")
    for label in ("full", "100k", "sqlite_100k"):
        sweep = r.get(f"sweep_{label}")
        for name, what in (("midnight", "refill reminders at 00:05, the day's clinic review digests"),
                           ("peak", "refill reminders at 09:05, every 09:00 reminder due"),
                           ("repeat", "refill reminders at 09:10, nothing new"),
                           ("checkin_catchup", "check-in reminders at 12:05 after a morning without sweeps "
                                               "(every time chosen since 08:00 at once)"),
                           ("checkin", "check-in reminders at 19:05, the 19:00 times (sweeps every 5 min)"),
                           ("checkin_repeat", "check-in reminders at 19:10, nothing new")):
            run = (sweep or {}).get(name)
            if run:
                target = "≤ 5 s" if label != "full" else "–"
                where = ", SQLite" if label == "sqlite_100k" else ""
                lines.append(f"| reminder sweep over {sweep['patients']:,} patients{where}, {what} | "
                             f"{run['seconds']:.1f} s; {run['due']:,} reminders due, {run['new_rows']:,} outbox rows "
                             f"added; process RSS at the end {sweep['maxrss_mib']:.0f} MiB | {target} | "
                             f"{_ok(run['seconds'] <= 5) if label != 'full' else ''} |")
    hosts = r.get("two_hosts")
    if hosts:  # several web hosts, no sticky sessions, photos in the database
        two = hosts["checkin"]
        same = hosts["photo_identical"] and hosts["checkin_in_b_diary"]
        lines.append(f"| two web hosts ({hosts['workers_each']} workers each), no sticky sessions: a wound photo "
                     f"uploaded through A, read through B; a check-in on A in B's diary; then check-ins at 50 users "
                     f"sent to either | photo {hosts['photo_bytes'] / 1024:.0f} KiB "
                     f"{'byte-identical' if hosts['photo_identical'] else '**not served**'} on B; check-in "
                     f"{'in' if hosts['checkin_in_b_diary'] else '**missing from**'} B's diary; p95 "
                     f"{_ms(two, 'p95')}, {two['rps']:.0f} req/s, {two['failures']} errors | served by every host | "
                     f"{_ok(same and two['failures'] == 0)} |")
    email = r["red_flag_email"]
    if email["p50"] is not None:
        lines.append(f"| red-flag check-in → email accepted by local SMTP | p50 {email['p50']:.2f} s, "
                     f"p99 {email['p99']:.2f} s ({email['samples']}/{email['of']} arrived) | – | |")
    first = r["first_load"]
    lines.append(f"| first load of /checkin on the wire in Chromium (Pixel 7, empty cache, no proxy; "
                 f"{', '.join(first.get('encodings', []))}) | HTML {first['html'] / 1024:.1f} KiB, CSS "
                 f"{first['css'] / 1024:.1f} KiB, JS {first['js'] / 1024:.1f} KiB, other {first.get('other', 0) / 1024:.1f}"
                 f" KiB; total {first['total'] / 1024:.1f} KiB in {first.get('responses', '?')} responses (headers "
                 f"included) | < 60 KiB, JS < 25 KiB; uncompressed about 158 KiB | "
                 f"{_ok(first['total'] < 60 * 1024 and first['js'] < 25 * 1024)} |")
    for page, score in r.get("lighthouse", {}).items():
        lines.append(f"| Lighthouse 12 mobile, {page} | performance {score['performance']}, accessibility "
                     f"{score['accessibility']} | ≥ 95 | {_ok(min(score.values()) >= 95)} |")
    soak = r.get("soak")
    if soak:
        lines.append(f"| soak {soak['seconds']} s at 50 users | {soak['requests']:,} requests, {soak['failures']} "
                     f"errors; workers {soak['rss_start_mib']} → {soak['rss_end_mib']} MiB | 0 errors, flat memory | "
                     f"{_ok(soak['failures'] == 0 and soak['rss_end_mib'] < soak['rss_start_mib'] * 1.25)} |")
    return "\n".join(lines)


def write_readme(results: dict, readme: Path) -> str:
    """Replace the text between the bench markers with the new table; return the table."""
    text = readme.read_text()
    block = f"{START}\n{table(results)}\n{END}"
    if START in text and END in text:
        text = text[:text.index(START)] + block + text[text.index(END) + len(END):]
    else:
        text += f"\n## Performance\n\n{block}\n"
    readme.write_text(text)
    return block
