"""HTTP for exports: the care team's visit summary, CSV and FHIR for one patient; the patient's own CSV and FHIR."""
from flask import Blueprint, Response, request
from flask_login import current_user

from companion.accounts.context import current_patient
from companion.audit import services as audit
from companion.careteam.exports import bulk, csv, fhir, pdf, queries
from companion.careteam.views import clinic_patient_or_404
from companion.clock import utcnow
from companion.web import STAFF, roles_required

bp = Blueprint("exports", __name__)


def _download(body: str | bytes, mimetype: str, filename: str) -> Response:
    """An attachment that no cache keeps (patient data); `mimetype` may carry parameters (fhirVersion)."""
    response = Response(body, content_type=mimetype) if ";" in mimetype else Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _staff_patient(export: str, **detail):
    """The clinic's patient for an export, audited (another clinic's patient: 404, audited as refused)."""
    patient = clinic_patient_or_404(request.view_args["patient_id"])
    audit.record_now("patient_exported", patient_id=patient.id, object_type="patient", object_id=patient.id,
                     export=export, **detail)
    return patient


@bp.route("/care/patients/<int:patient_id>/export/summary.pdf")
@roles_required(*STAFF)
def summary_pdf(patient_id: int):
    """The visit summary for the last 30 or 90 days, to print or attach to the record."""
    days = 90 if request.args.get("days") == "90" else 30
    patient = _staff_patient("summary_pdf", days=days)
    body = pdf.visit_summary(queries.gather(patient, utcnow(), days))
    return _download(body, "application/pdf", f"visit-summary-{patient.id}-{days}d.pdf")


@bp.route("/care/patients/<int:patient_id>/export/diary.csv")
@roles_required(*STAFF)
def diary_csv(patient_id: int):
    """Every diary entry of the patient as CSV."""
    patient = _staff_patient("diary_csv")
    data = queries.gather(patient, utcnow())
    return _download(csv.diary_csv(data.entries, data.patient["timezone"]), "text/csv", f"diary-{patient.id}.csv")


@bp.route("/care/patients/<int:patient_id>/export/fhir.json")
@roles_required(*STAFF)
def fhir_bundle(patient_id: int):
    """The patient's whole record ($everything-style) as a FHIR R4 Bundle (validated before it is sent)."""
    patient = _staff_patient("fhir_bundle")
    return _download(fhir.bundle_json(queries.gather(patient, utcnow())), fhir.MIME,
                     f"companion-{patient.id}.fhir.json")


def _own_patient(export: str):
    """The signed-in patient, their export of their own data audited."""
    patient = current_patient()
    audit.record_now("own_data_exported", patient_id=patient.id, object_type="patient", object_id=patient.id,
                     export=export)
    return patient


@bp.route("/account/export/diary.csv")
@roles_required("patient")
def my_diary_csv():
    """The patient's own diary as CSV."""
    patient = _own_patient("diary_csv")
    data = queries.gather(patient, utcnow())
    return _download(csv.diary_csv(data.entries, data.patient["timezone"]), "text/csv", "my-diary.csv")


@bp.route("/account/export/fhir.json")
@roles_required("patient")
def my_fhir_bundle():
    """The patient's own record as a FHIR R4 Bundle."""
    patient = _own_patient("fhir_bundle")
    return _download(fhir.bundle_json(queries.gather(patient, utcnow())), fhir.MIME,
                     "my-companion-record.fhir.json")


@bp.route("/admin/export/fhir.zip", methods=["POST"])
@roles_required("admin")
def clinic_fhir_bulk():
    """Every patient of the admin's clinic as bulk-data NDJSON, one file per resource type, in one zip (POST: it
    is a large audited read, and it is never prefetched)."""
    now = utcnow()
    patients = queries.clinic_patients(current_user.clinic_id)
    files = fhir.ndjson_files(queries.gather(patient, now) for patient in patients)
    audit.record_now("clinic_fhir_exported", object_type="clinic", object_id=current_user.clinic_id,
                     patients=len(patients), counts={name: body.count("\n") for name, body in files.items()})
    return _download(bulk.zip_of(files, now, fhir.FHIR_VERSION), "application/zip",
                     f"companion-clinic-{current_user.clinic_id}-fhir.zip")
