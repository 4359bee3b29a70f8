"""FHIR resources for the pump: device, regimen (Medication + MedicationStatement), refills, procedures, clinicians."""
from __future__ import annotations

from fhir.resources.R4B.device import Device
from fhir.resources.R4B.deviceusestatement import DeviceUseStatement
from fhir.resources.R4B.medication import Medication
from fhir.resources.R4B.medicationadministration import MedicationAdministration
from fhir.resources.R4B.medicationstatement import MedicationStatement
from fhir.resources.R4B.practitioner import Practitioner
from fhir.resources.R4B.procedure import Procedure

from companion.careteam.exports.fhir.clinical import when
from companion.careteam.exports.fhir.codes import INTRATHECAL, MRI, PERFORM_FUNCTION, drug_code, quantity

ROLE_NAMES = {"nurse": "Nurse", "physician": "Physician", "admin": "Clinic administrator"}


def device(pump: dict, p: dict, subject: str, device_ref: str) -> list[tuple[str, object]]:
    """The implanted pump and the patient's use of it, as (key, resource)."""
    dev = Device.model_validate({
        "id": f"pump-{p['id']}", "status": "active", "patient": {"reference": subject},
        "type": {"text": "Implanted intrathecal drug infusion pump"},
        "deviceName": [{"name": pump.get("model") or "Intrathecal pump", "type": "user-friendly-name"}]})
    use = {"id": f"pump-use-{p['id']}", "status": "active", "subject": {"reference": subject},
           "device": {"reference": device_ref}}
    if pump.get("implanted_on"):
        use["timingDateTime"] = pump["implanted_on"].isoformat()
    return [("device", dev), ("device-use", DeviceUseStatement.model_validate(use))]


def practitioner(person: dict) -> Practitioner:
    """A clinician named in a refill (name and the clinic's role; no contact details)."""
    return Practitioner.model_validate({
        "id": f"practitioner-{person['id']}", "active": True, "name": [{"text": person["name"]}],
        "identifier": [{"system": "urn:companion:user", "value": str(person["id"])}],
        "qualification": [{"code": {"text": ROLE_NAMES.get(person["role"], person["role"])}}]})


def _strength(d: dict) -> dict:
    """Concentration as a Ratio: amount per 1 mL."""
    return {"numerator": quantity(float(d["concentration"]), d["unit"]), "denominator": quantity(1, "mL")}


def drug_medication(d: dict) -> Medication:
    """One drug of a regimen at its concentration, as the pharmacy makes it up for the pump."""
    return Medication.model_validate({
        "id": f"medication-{d['id']}", "code": drug_code(d["name"]),
        "form": {"text": "Solution for intrathecal infusion"},
        "ingredient": [{"itemCodeableConcept": drug_code(d["name"]), "isActive": True, "strength": _strength(d)}]})


def mixture_medication(r: dict) -> Medication:
    """What fills the reservoir for one regimen: every drug with its concentration."""
    names = " + ".join(d["name"] for d in r["drugs"])
    return Medication.model_validate({
        "id": f"pump-fill-{r['id']}", "code": {"text": f"Intrathecal pump fill: {names}"},
        "form": {"text": "Solution for intrathecal infusion"},
        "ingredient": [{"itemCodeableConcept": drug_code(d["name"]), "isActive": True, "strength": _strength(d)}
                       for d in r["drugs"]]})


def statement(r: dict, d: dict, subject: str, medication_ref: str, first: bool) -> MedicationStatement:
    """One drug of a regimen: its daily dose by continuous intrathecal infusion, and the bolus where programmed."""
    daily = quantity(float(d["daily_dose"]), d["unit"])
    dosage = [{"sequence": 1, "text": f"{d['daily_dose']} {d['unit']} a day by continuous intrathecal infusion",
               "route": {"coding": [INTRATHECAL], "text": "Intrathecal"},
               "timing": {"repeat": {"frequency": 1, "period": 1, "periodUnit": "d"}},
               "doseAndRate": [{"doseQuantity": daily}]}]
    if first and r["boluses_per_day"] and float(r["bolus_dose"]):  # the bolus is programmed in the first drug's unit
        bolus = quantity(float(r["bolus_dose"]), d["unit"])
        most = quantity(float(r["bolus_dose"]) * r["boluses_per_day"], d["unit"])
        dosage.append({"sequence": 2, "text": f"Patient-activated bolus {r['bolus_dose']} {d['unit']}, "
                                              f"at most {r['boluses_per_day']} a day",
                       "asNeededBoolean": True, "route": {"coding": [INTRATHECAL], "text": "Intrathecal"},
                       "doseAndRate": [{"doseQuantity": bolus}],
                       "maxDosePerPeriod": {"numerator": most, "denominator": quantity(1, "d")}})
    period = {"start": when(r["started_at"])}
    if r.get("ended_at"):
        period["end"] = when(r["ended_at"])
    return MedicationStatement.model_validate({
        "id": f"regimen-{r['id']}-drug-{d['id']}", "status": "active" if r["current"] else "completed",
        "medicationReference": {"reference": medication_ref}, "subject": {"reference": subject},
        "effectivePeriod": period, "dosage": dosage})


def administration(f: dict, subject: str, medication_ref: str, device_ref: str | None,
                   performers: dict[int, str]) -> MedicationAdministration:
    """A confirmed refill: the volume put into the reservoir, who filled it and who did the second check."""
    performer = [{"function": {"coding": [{"system": PERFORM_FUNCTION, "code": "performer"}]},
                  "actor": {"reference": performers[f["first_clinician"]["id"]]}}]
    if f.get("second_clinician"):
        performer.append({"function": {"coding": [{"system": PERFORM_FUNCTION, "code": "verifier"}]},
                          "actor": {"reference": performers[f["second_clinician"]["id"]]}})
    data = {"id": f"refill-{f['id']}", "status": "completed", "medicationReference": {"reference": medication_ref},
            "subject": {"reference": subject}, "effectiveDateTime": when(f["performed_at"]), "performer": performer,
            "dosage": {"text": f"Reservoir {'refill' if f['kind'] == 'refill' else f['kind']}: "
                               f"{f['fill_volume_ml']} mL", "route": {"coding": [INTRATHECAL], "text": "Intrathecal"},
                       "dose": quantity(float(f["fill_volume_ml"]), "mL")}}
    if device_ref:
        data["device"] = [{"reference": device_ref}]
    return MedicationAdministration.model_validate(data)


def implant(p: dict, implanted_on, subject: str, device_ref: str | None) -> Procedure:
    """The pump implant (the date the record holds)."""
    data = {"id": f"implant-{p['id']}", "status": "completed", "subject": {"reference": subject},
            "code": {"text": "Implantation of intrathecal drug delivery pump"},
            "performedDateTime": implanted_on.isoformat()}
    if device_ref:
        data["focalDevice"] = [{"manipulated": {"reference": device_ref}}]
    return Procedure.model_validate(data)


def procedure(n: dict, subject: str) -> Procedure:
    """An MRI or other procedure the patient or the clinic recorded; `preparation` until it has happened."""
    is_mri = n["kind"] == "mri"
    code = {"coding": [MRI], "text": "MRI scan"} if is_mri else {"text": n.get("details") or "Procedure"}
    data = {"id": f"procedure-{n['id']}", "status": "completed" if n["happened"] else "preparation",
            "subject": {"reference": subject}, "code": code, "performedDateTime": when(n["at"])}
    if n.get("details") and is_mri:
        data["note"] = [{"text": n["details"]}]
    return Procedure.model_validate(data)
