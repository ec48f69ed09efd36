"""dealroom: live sales-negotiation role-play over WebSockets.

The distribution maps its top-level folders into this namespace:
``protocol/`` is ``dealroom.protocol``, ``server/`` is ``dealroom.server``
and ``client_web/`` is ``dealroom.client_web``.
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
