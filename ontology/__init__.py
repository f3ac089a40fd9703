"""The sharekg vocabulary (sharekg.ttl), its SHACL shapes (shapes.ttl) and the closed namespaces code uses."""

from ontology.terms import SKG, SKG_NS, UnknownTermError, Vocabulary, ontology_text

__all__ = ["SKG", "SKG_NS", "UnknownTermError", "Vocabulary", "ontology_text"]
