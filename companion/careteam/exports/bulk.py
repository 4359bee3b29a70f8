"""A zip of NDJSON files with a bulk-data style manifest (pure: file texts in, bytes out)."""
import io
import json
import zipfile
from datetime import datetime


def zip_of(files: dict[str, str], now: datetime, fhir_version: str) -> bytes:
    """The files and a manifest.json naming each with its resource type and count (as FHIR Bulk Data's does)."""
    manifest = {"transactionTime": now.isoformat(), "fhirVersion": fhir_version, "requiresAccessToken": True,
                "output": [{"type": name.removesuffix(".ndjson"), "url": name, "count": body.count("\n")}
                           for name, body in files.items()], "error": []}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest, indent=2))
        for name, body in files.items():
            archive.writestr(name, body)
    return buffer.getvalue()
