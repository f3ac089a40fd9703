"""For resource centres: the demand log (and the one call that matches a need and logs it), utilisation against
demand, unmet needs, the words of needs the glossary could not read, impact, and their exports."""

from graph.centre.demand import TOP_PER_TYPE, DemandLog, top_results
from graph.centre.impact import entry_evidence, resource_impact
from graph.centre.intake import Asker, DemandIntake, LoggedMatch, LogLimits
from graph.centre.reports import underused_csv, unknown_words_csv, unmet_chart, unmet_csv, utilisation_chart
from graph.centre.unknown import UnknownWordsReport, unknown_words_report
from graph.centre.unmet import DEFAULT_THRESHOLD, UnmetReport, unmet_needs
from graph.centre.utilisation import UtilisationReport, underused, utilisation

__all__ = [
    "DEFAULT_THRESHOLD",
    "TOP_PER_TYPE",
    "Asker",
    "DemandIntake",
    "DemandLog",
    "LogLimits",
    "LoggedMatch",
    "UnknownWordsReport",
    "UnmetReport",
    "UtilisationReport",
    "entry_evidence",
    "resource_impact",
    "top_results",
    "underused",
    "underused_csv",
    "unknown_words_csv",
    "unknown_words_report",
    "unmet_chart",
    "unmet_csv",
    "unmet_needs",
    "utilisation",
    "utilisation_chart",
]
