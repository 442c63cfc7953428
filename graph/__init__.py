"""aenc: the Air Encounters Knowledge Graph.

The package loads the ontology and curated data, validates them with SHACL, reasons with
OWL 2 RL, exports, and answers SPARQL queries. It knows nothing of HTTP (see ``server.py``).
"""
__version__ = "0.1.0"
