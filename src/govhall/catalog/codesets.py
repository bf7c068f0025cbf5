"""Code sets of GB/T 39046 appendix A, with Chinese and English labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ItemType(models.TextChoices):
    LICENSING = "01", _("administrative licensing")
    PENALTY = "02", _("administrative penalty")
    COMPULSION = "03", _("administrative compulsion")
    LEVY = "04", _("administrative levy")
    BENEFIT = "05", _("benefit payment")
    INSPECTION = "06", _("administrative inspection")
    CONFIRMATION = "07", _("administrative confirmation")
    REWARD = "08", _("administrative reward")
    ADJUDICATION = "09", _("administrative adjudication")
    OTHER_POWER = "10", _("other administrative power")
    PUBLIC_SERVICE = "20", _("public service")


class ExerciseLevel(models.TextChoices):
    NATIONAL = "1", _("national")
    PROVINCIAL = "2", _("provincial")
    CITY = "3", _("city")
    COUNTY = "4", _("county")
    TOWNSHIP = "5", _("township / street")
    VILLAGE = "6", _("village / community")
    GRADED = "7", _("graded")


class OrganNature(models.TextChoices):
    STATUTORY = "1", _("statutory organ")
    AUTHORISED = "2", _("authorised organisation")
    ENTRUSTED = "3", _("entrusted organisation")
    OTHER = "9", _("other")


class ServiceObject(models.TextChoices):
    PERSON = "1", _("natural person")
    ENTERPRISE = "2", _("enterprise legal person")
    INSTITUTION = "3", _("public institution")
    SOCIAL_ORG = "4", _("social organisation")
    ADMIN_ORGAN = "5", _("administrative organ")
    OTHER = "6", _("other organisation")


class HandlingForm(models.TextChoices):
    WINDOW = "1", _("at the window")
    ONLINE_PC = "2", _("online (PC)")
    ONLINE_MOBILE = "3", _("online (mobile)")
    POST = "4", _("by post")
    OTHER = "9", _("other")


class CaseKind(models.TextChoices):
    IMMEDIATE = "1", _("immediate (decided on the spot)")
    PROMISED = "2", _("promised (decided within the promised time limit)")
    OTHER = "9", _("other")


class OnlineDepth(models.TextChoices):
    CONSULTATION = "consultation", _("online consultation")
    SUBMISSION = "submission", _("online submission")
    PRE_REVIEW = "pre_review", _("online pre-review")
    ACCEPTANCE = "acceptance", _("online acceptance")
    HANDLING = "handling", _("online handling")
    RESULT = "result", _("online result feedback")
    E_LICENCE = "e_licence", _("e-licence feedback")


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("province")
    CITY = "city", _("city")
    COUNTY = "county", _("county / district")
    TOWNSHIP = "township", _("township / street")


class TopicAudience(models.TextChoices):
    PERSON = "person", _("for persons (life events)")
    ENTERPRISE = "enterprise", _("for enterprises (life cycle)")


class StepKind(models.TextChoices):
    APPLY = "apply", _("apply")
    ACCEPT = "accept", _("accept")
    UNDERTAKE = "undertake", _("undertake")
    REVIEW = "review", _("review")
    APPROVE = "approve", _("approve")
    DECIDE = "decide", _("decide")
    DELIVER = "deliver", _("deliver the result")


class SpecialProcedureKind(models.TextChoices):
    HEARING = "hearing", _("hearing")
    INSPECTION = "inspection", _("inspection")
    TESTING = "testing", _("testing")
    QUARANTINE = "quarantine", _("quarantine")
    APPRAISAL = "appraisal", _("appraisal")
    EXPERT_REVIEW = "expert_review", _("expert review")
    SITE_CHECK = "site_check", _("site check")


class ResultKind(models.TextChoices):
    LICENCE = "licence", _("licence or certificate")
    DOCUMENT = "document", _("approval document")
    OTHER = "other", _("other result")


class CrossRegionScope(models.TextChoices):
    NONE = "none", _("not across regions")
    COUNTY = "county", _("across counties")
    CITY = "city", _("across cities")
    PROVINCE = "province", _("across provinces")
    NATIONAL = "national", _("nationwide")


class Necessity(models.TextChoices):
    REQUIRED = "required", _("required")
    OPTIONAL = "optional", _("optional")
    LATER = "later", _("may follow later (容缺后补)")
    PROMISE = "promise", _("replaced by a signed promise (告知承诺)")


class MaterialForm(models.TextChoices):
    PAPER = "paper", _("paper")
    ELECTRONIC = "electronic", _("electronic")
    BOTH = "both", _("paper and electronic")


class MaterialSource(models.TextChoices):
    APPLICANT = "applicant", _("provided by the applicant")
    ORGAN = "organ", _("issued by a government organ")
    E_LICENCE = "e_licence", _("taken from the e-licence library")
    ONLINE_FORM = "online_form", _("filled in online")
    SHARED_DATA = "shared_data", _("taken from shared data")


FETCHED_SOURCES = frozenset({MaterialSource.E_LICENCE, MaterialSource.SHARED_DATA})
