"""Kibana: the saved objects Traceur ships for analysts, and their import."""
