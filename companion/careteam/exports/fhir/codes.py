"""Code systems, codes and profiles the FHIR export uses (each from a published terminology or specification)."""

# We target FHIR R4 (4.0.1), which most EHRs speak. fhir.resources ships R4B (4.3.0) models, not R4; for every
# resource type exported here R4B made no structural change from R4 (R4B changed the medication-definition,
# evidence and subscription resources), so an R4B parse is a faithful R4 check of these bundles.
FHIR_VERSION = "4.0.1"
MIME = "application/fhir+json; fhirVersion=4.0"  # the fhirVersion MIME parameter defined by FHIR R4 (http.html)
NDJSON_MIME = "application/fhir+ndjson"

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
OBS_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
FLAG_CATEGORY = "http://terminology.hl7.org/CodeSystem/flag-category"
PERFORM_FUNCTION = "http://terminology.hl7.org/CodeSystem/med-admin-perform-function"

PROFILES = {
    "Patient": "http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient",
    "temperature": "http://hl7.org/fhir/StructureDefinition/bodytemp",  # FHIR R4 core vital-signs profile
}

PAIN = {"system": LOINC, "code": "72514-3", "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported"}
TEMPERATURE = {"system": LOINC, "code": "8310-5", "display": "Body temperature"}
CONSENT_DOCUMENT = {"system": LOINC, "code": "59284-0", "display": "Consent Document"}
INTRATHECAL = {"system": SNOMED, "code": "72607000", "display": "Intrathecal route"}
MRI = {"system": SNOMED, "code": "113091000", "display": "Magnetic resonance imaging"}

# RxNorm ingredient concepts (TTY=IN) for the drugs the pump records accept. Only codes we could check are
# listed; any other drug is sent by name alone (CodeableConcept.text), never with a guessed code.
RXNORM_INGREDIENTS = {
    "morphine": ("7052", "morphine"),
    "hydromorphone": ("3423", "hydromorphone"),
    "fentanyl": ("4337", "fentanyl"),
    "bupivacaine": ("1815", "bupivacaine"),
    "clonidine": ("2599", "clonidine"),
    "baclofen": ("1292", "baclofen"),
}

# UCUM codes for the units the pump records store.
UCUM_UNITS = {"mg": "mg", "mcg": "ug", "ug": "ug", "mL": "mL", "ml": "mL", "d": "d", "Cel": "Cel"}


def quantity(value: float | int, unit: str) -> dict:
    """A Quantity in UCUM (unknown units are a programming error: the export refuses rather than guess)."""
    code = UCUM_UNITS[unit]
    return {"value": value, "unit": unit, "system": UCUM, "code": code}


def drug_code(name: str) -> dict:
    """The CodeableConcept for one pump drug: RxNorm where we have the ingredient code, else the name only."""
    key = name.strip().lower()
    if key in RXNORM_INGREDIENTS:
        code, display = RXNORM_INGREDIENTS[key]
        return {"coding": [{"system": RXNORM, "code": code, "display": display}], "text": name}
    return {"text": name}
