"""The personas' lines in Spanish: each English line of personas.py, as a Spanish buyer
or seller would write it.

Line by line the same intents and placeholders as the English. Spanish gives an
issue *el* or *la* by its noun, which a template cannot know, so an issue is
named with "en materia de {issue}" or "el apartado de {issue}", both of which take
a bare label. Every persona says *usted*/*ustedes*, as a first business
negotiation would; the scenarios' own translations are written for Spain.
"""

from __future__ import annotations

from dealroom.protocol import Intent

__all__ = ["LINES"]

_Q, _O, _N, _F = Intent.QUESTION, Intent.OBJECTION, Intent.INTEREST, Intent.INFO

LINES: dict[str, dict[Intent, tuple[str, ...]]] = {
    "analytical": {
        _Q: (
            "En materia de {issue} proponen {their_value}. ¿En qué se basa esa propuesta?",
            "¿Qué datos respaldan su posición en materia de {issue}?",
            "¿Pueden desglosarnos los costes que hay detrás del apartado de {issue}?",
        ),
        _O: (
            "Con {their_value}, el apartado de {issue} no nos cuadra.",
            "Necesito ver los números antes de movernos en materia de {issue}.",
        ),
        _N: (
            "En materia de {mine}, para nosotros pesa más la precisión que la rapidez.",
            "En materia de {mine} necesitamos algo que podamos justificar internamente con cifras.",
        ),
        _F: (
            "Para ser precisos: en materia de {issue} podemos ofrecer {my_value}.",
            "Las cifras avalan {my_value} en materia de {issue}; ya cedimos en {cheap}.",
            "Que conste: el apartado de {mine} es nuestro criterio principal.",
        ),
    },
    "amiable": {
        _Q: (
            "¿Qué haría falta para que esto funcione bien para su equipo?",
            "¿Por qué es tan importante para ustedes el apartado de {issue}?",
            "¿Qué les parece el apartado de {cheap}?",
        ),
        _O: ("Me gustaría ayudarles, pero tal como está, el apartado de {issue} se nos complica.",),
        _N: (
            "Para nosotros es importante una buena relación a largo plazo.",
            "De verdad nos gustaría encontrar algo que nos convenga a ambos.",
            "El apartado de {mine} es lo que da tranquilidad a nuestra gente.",
        ),
        _F: (
            "Hemos cedido en materia de {cheap} para encontrarnos a mitad de camino.",
            "Podemos ofrecer {my_value} en materia de {issue}, si eso les ayuda.",
        ),
    },
    "expressive": {
        _Q: (
            "¿Qué historia hay para ustedes detrás del apartado de {issue}?",
            "Cuénteme, ¿qué es lo que más les ilusiona de este acuerdo?",
        ),
        _O: (
            "¡Uf! ¿{their_value} en materia de {issue}? ¡Eso duele!",
            "¡Vamos, el apartado de {issue} no puede quedarse ahí!",
        ),
        _N: (
            "¡Esto puede ser una gran alianza, hagámoslo realidad!",
            "¡Para nosotros todo gira en torno al apartado de {mine}!",
        ),
        _F: (
            "¡Miren, en materia de {cheap} hemos sido generosos!",
            "Tengo una idea nueva: {my_value} en materia de {issue}.",
        ),
    },
    "driver": {
        _Q: ("¿Cuál es su mejor oferta en materia de {issue}?", "¿Pueden firmar hoy?"),
        _O: (
            "¿{their_value} en materia de {issue}? Inaceptable.",
            "Estamos perdiendo el tiempo; el apartado de {issue} tiene que moverse.",
            "Mejoren el apartado de {issue} o lo dejamos aquí.",
        ),
        _N: ("Ajusten bien el apartado de {mine} y cerramos hoy.",),
        _F: (
            "Esto está cerca de nuestro límite.",
            "{my_value} en materia de {issue}. Lo toman o lo dejan.",
        ),
    },
}
"""Per persona, per intent: the Spanish lines, in the order of the English ones."""
