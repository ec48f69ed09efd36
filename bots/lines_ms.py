"""The personas' lines in Malay: each English line of personas.py, as a Malaysian buyer
or seller would write it.

Line by line the same intents and placeholders as the English. Malay, like
Indonesian, has no articles, so a bare issue label fits after "bagi", "soal" or
"tentang"; no line starts with one. The words are Malaysia's own, not
Indonesian ones (*boleh*, *mahu*, *masa*, *had*, *pasukan*, *baharu*); every
persona says *anda* and *kami*.
"""

from __future__ import annotations

from dealroom.protocol import Intent

__all__ = ["LINES"]

_Q, _O, _N, _F = Intent.QUESTION, Intent.OBJECTION, Intent.INTEREST, Intent.INFO

LINES: dict[str, dict[Intent, tuple[str, ...]]] = {
    "analytical": {
        _Q: (
            "Pihak anda meletakkan {their_value} bagi {issue}. Apakah asas pengiraannya?",
            "Apakah data yang menyokong pendirian anda tentang {issue}?",
            "Bolehkah anda perincikan kos di sebalik {issue} untuk kami?",
        ),
        _O: (
            "Pada {their_value}, {issue} tidak munasabah mengikut kiraan kami.",
            "Saya perlu melihat angkanya dahulu sebelum kami boleh berganjak tentang {issue}.",
        ),
        _N: (
            "Bagi {mine}, ketepatan lebih penting kepada kami berbanding kepantasan.",
            "Bagi {mine}, kami perlukan angka yang boleh kami wajarkan secara dalaman.",
        ),
        _F: (
            "Secara tepat: bagi {issue} kami boleh menawarkan {my_value}.",
            "Angka kami menyokong {my_value} bagi {issue}; kami telah menyelaraskan {cheap}.",
            "Untuk makluman, {mine} ialah kriteria utama kami.",
        ),
    },
    "amiable": {
        _Q: (
            "Apakah yang diperlukan supaya ini berjalan lancar untuk pasukan anda?",
            "Mengapakah {issue} begitu penting bagi pihak anda?",
            "Apakah pandangan anda tentang {cheap}?",
        ),
        _O: ("Saya ingin membantu, tetapi {issue} seperti sekarang agak sukar bagi kami.",),
        _N: (
            "Hubungan jangka panjang yang baik amat penting bagi kami.",
            "Kami benar-benar mahu mencari penyelesaian yang sesuai untuk kedua-dua pihak.",
            "Soal {mine} inilah yang membuatkan kakitangan kami berasa selesa.",
        ),
        _F: (
            "Kami telah berganjak tentang {cheap} untuk bertemu di pertengahan jalan.",
            "Kami boleh beri {my_value} bagi {issue} jika itu membantu.",
        ),
    },
    "expressive": {
        _Q: (
            "Apa cerita di sebalik {issue} bagi pihak anda?",
            "Ceritakanlah, apa yang paling menarik minat anda tentang urus niaga ini?",
        ),
        _O: (
            "Aduh, {their_value}? Itu memang berat bagi {issue}!",
            "Janganlah begitu, {issue} tidak boleh kekal di situ!",
        ),
        _N: (
            "Ini boleh jadi perkongsian yang hebat, mari kita jayakan!",
            "Bagi kami, semuanya tentang {mine}!",
        ),
        _F: (
            "Lihatlah, kami sudah cukup bermurah hati tentang {cheap}!",
            "Ini idea baharu: {my_value} bagi {issue}.",
        ),
    },
    "driver": {
        _Q: ("Apakah tawaran terbaik anda bagi {issue}?", "Bolehkah anda tandatangan hari ini?"),
        _O: (
            "{their_value} bagi {issue}? Tidak boleh diterima.",
            "Kita membuang masa; {issue} mesti berganjak.",
            "Baiki {issue} atau kita tamatkan di sini.",
        ),
        _N: ("Betulkan {mine}, dan kita muktamadkan hari ini.",),
        _F: ("Ini sudah hampir dengan had kami.", "{my_value} bagi {issue}. Terima atau tolak."),
    },
}
"""Per persona, per intent: the Malay lines, in the order of the English ones."""
