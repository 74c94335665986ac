"""JSON API of development proposals (placeholder: being written)."""

from kpss.api import api_blueprint

bp = api_blueprint("proposals_api", __name__)
