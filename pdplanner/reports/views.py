"""Report and export downloads (SPEC section 10): the same authorization as the pages."""

from flask import Blueprint

bp = Blueprint("reports", __name__)
