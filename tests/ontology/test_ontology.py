"""The vocabulary: closed namespaces, alignment to the standards, shapes that use only declared terms."""

from __future__ import annotations

import re

import pytest
import rdflib
from rdflib.namespace import OWL, RDF, RDFS

from ontology.terms import DCT, SKG, SKG_NS, UnknownTermError, ontology_text

SKG_RDFLIB = rdflib.Namespace(SKG_NS)
VIVO = rdflib.Namespace("http://vivoweb.org/ontology/core#")
ALIGNMENT = {
    "Instrument": "http://vivoweb.org/ontology/core#Equipment",
    "Facility": "http://vivoweb.org/ontology/core#Facility",
    "Dataset": "http://www.w3.org/ns/dcat#Dataset",
    "Expert": "http://xmlns.com/foaf/0.1/Person",
    "Organization": "http://www.w3.org/ns/org#Organization",
    "Subject": "http://www.w3.org/2004/02/skos/core#Concept",
    "Team": "http://xmlns.com/foaf/0.1/Group",
    "Project": "http://xmlns.com/foaf/0.1/Project",
    "UsageRecord": "http://www.w3.org/ns/prov#Activity",
    "Output": "http://www.w3.org/ns/prov#Entity",
    "Paper": "https://schema.org/ScholarlyArticle",
    "Contest": "https://schema.org/Event",
    "Grant": "http://vivoweb.org/ontology/core#Grant",
}
REQUIRED_CLASSES = {
    "Instrument",
    "Facility",
    "Dataset",
    "Expert",
    "Organization",
    "Subject",
    "Team",
    "Project",
    "Need",
    "UsageRecord",
    "Output",
    "Paper",
    "Software",
    "Patent",
    "Award",
    "StartUp",
    "Contest",
    "Track",
    "ChallengeTopic",
    "Entry",
}


@pytest.fixture(scope="module")
def ontology() -> rdflib.Graph:
    return rdflib.Graph().parse(data=ontology_text("sharekg.ttl"), format="turtle")


def test_closed_namespace_refuses_misspelt_terms() -> None:
    assert SKG.Instrument.value == SKG_NS + "Instrument"
    with pytest.raises(UnknownTermError, match=r"sharekg\.ttl"):
        _ = SKG.Instrumnet
    with pytest.raises(UnknownTermError):
        _ = DCT.descripton


def test_every_required_class_is_declared(ontology: rdflib.Graph) -> None:
    declared = {str(c).removeprefix(SKG_NS) for c in ontology.subjects(RDF.type, OWL.Class)}
    assert declared >= REQUIRED_CLASSES


@pytest.mark.parametrize(("name", "standard"), sorted(ALIGNMENT.items()))
def test_classes_are_aligned_to_standards(ontology: rdflib.Graph, name: str, standard: str) -> None:
    supers = set(ontology.transitive_objects(SKG_RDFLIB[name], RDFS.subClassOf))
    assert rdflib.URIRef(standard) in supers


def test_every_term_has_a_label(ontology: rdflib.Graph) -> None:
    for term in ontology.subjects(RDF.type, None):
        if str(term).startswith(SKG_NS):
            assert ontology.value(term, RDFS.label) is not None, term


def test_shapes_use_only_declared_sharekg_terms() -> None:
    used = set(re.findall(r"skg:([A-Za-z]+)", ontology_text("shapes.ttl")))
    shape_names = {u for u in used if u.endswith("Shape")}
    for name in used - shape_names:
        assert name in SKG, f"shapes.ttl uses skg:{name}, which sharekg.ttl does not declare"


def test_every_class_and_property_has_one_english_and_one_chinese_label(ontology: rdflib.Graph) -> None:
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
    terms = {t for kind in kinds for t in ontology.subjects(RDF.type, kind) if str(t).startswith(SKG_NS)}
    assert len(terms) > 100
    for term in sorted(terms):
        labels = [o for o in ontology.objects(term, RDFS.label) if isinstance(o, rdflib.Literal)]
        by_language = sorted(str(o.language) for o in labels)
        assert by_language == ["en", "zh"], (term, by_language)
        english = next(str(o) for o in labels if o.language == "en")
        chinese = next(str(o) for o in labels if o.language == "zh")
        # Chinese text, or a name that is written the same in both (ORCID, DOI)
        assert re.search(r"[\u4e00-\u9fff]", chinese) or chinese == english, (term, chinese)
