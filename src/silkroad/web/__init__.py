"""silkroad's web face: a local dashboard and a JSON API over a store (``silkroad serve``).

>>> from silkroad.web import create_app, serve
>>> app = create_app("/tmp/silkroad-demo")  # an ASGI app (FastAPI)  # doctest: +SKIP
>>> serve("/tmp/silkroad-demo", port=8000)  # doctest: +SKIP
"""

from silkroad.web.app import create_app
from silkroad.web.server import serve

__all__ = ["create_app", "serve"]
