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
    lines.append(f"| check-in ceiling (50 users, no think time) | {cmax['rps']:.0f} req/s (p95 {_ms(cmax, 'p95')}) | "
                 f"bare Flask, same gunicorn: {bare['rps']:.0f} req/s; ratio {ratio:.0%} (target ≥ 40%) | "
                 f"{_ok(ratio >= 0.4)} |")
    for label, seed in (("1k", r["seed_1k"]), ("full", r["seed_full"])):
        pages = r.get(f"pages_{label}", {})
        total = seed["patients"] + (r["seed_1k"]["patients"] if label == "full" else 0)
        entries = seed["entries"] + (r["seed_1k"]["entries"] if label == "full" else 0)
        p95s = ", ".join(f"{name} {_ms(row, 'p95')}" for name, row in pages.items())
        worst = max((row["p95"] for row in pages.values()), default=0)
        lines.append(f"| pages p95, {total:,} patients / {entries:,} entries (10 nurses) | {p95s} | < 100 ms | "
                     f"{_ok(worst < 100)} |")
    for label in ("full", "100k"):
        sweep = r.get(f"sweep_{label}")
        if sweep:
            lines.append(f"| refill-reminder sweep, {label} patients | {sweep['seconds']:.1f} s, peak traced "
                         f"{sweep['peak_traced_mib']:.0f} MiB (RSS {sweep['maxrss_mib']:.0f} MiB), "
                         f"{sweep['enqueued']} enqueued | – | |")
    email = r["red_flag_email"]
    if email["p50"] is not None:
        lines.append(f"| red-flag check-in → email accepted by local SMTP | p50 {email['p50']:.2f} s, "
                     f"p99 {email['p99']:.2f} s ({email['samples']}/{email['of']} arrived) | – | |")
    first = r["first_load"]
    lines.append(f"| first load of /checkin, gzip | HTML {first['html'] / 1024:.1f} KiB, CSS {first['css'] / 1024:.1f} "
                 f"KiB, JS {first['js'] / 1024:.1f} KiB, total {first['total'] / 1024:.1f} KiB | < 60 KiB, JS < 25 KiB"
                 f" | {_ok(first['total'] < 60 * 1024 and first['js'] < 25 * 1024)} |")
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
