"""The personas' lines in Indonesian: each English line of personas.py, as an Indonesian
buyer or seller would write it.

Line by line the same intents and placeholders as the English. Indonesian has
no articles, so a bare issue label fits after "untuk", "soal" or "tentang"; no
line starts with one (labels come in lower case mid-sentence). Every persona
says *Anda* and *kami*, as a business negotiation in Indonesia would.
"""

from __future__ import annotations

from dealroom.protocol import Intent

__all__ = ["LINES"]

_Q, _O, _N, _F = Intent.QUESTION, Intent.OBJECTION, Intent.INTEREST, Intent.INFO

LINES: dict[str, dict[Intent, tuple[str, ...]]] = {
    "analytical": {
        _Q: (
            "Anda menawarkan {their_value} untuk {issue}. Apa dasar perhitungannya?",
            "Data apa yang mendukung posisi Anda soal {issue}?",
            "Bisakah Anda merinci biaya di balik {issue} untuk kami?",
        ),
        _O: (
            "Dengan {their_value}, {issue} tidak masuk hitungan kami.",
            "Saya perlu melihat angkanya dulu sebelum kami bisa bergeser soal {issue}.",
        ),
        _N: (
            "Untuk {mine}, ketepatan lebih penting bagi kami daripada kecepatan.",
            "Untuk {mine}, kami perlu angka yang bisa kami pertanggungjawabkan secara internal.",
        ),
        _F: (
            "Tepatnya: untuk {issue} kami bisa menawarkan {my_value}.",
            "Angka kami mendukung {my_value} untuk {issue}; {cheap} sudah kami sesuaikan.",
            "Sebagai catatan, {mine} adalah kriteria utama kami.",
        ),
    },
    "amiable": {
        _Q: (
            "Apa yang dibutuhkan agar ini berjalan baik bagi tim Anda?",
            "Apa yang membuat {issue} begitu penting bagi Anda?",
            "Bagaimana pendapat Anda tentang {cheap}?",
        ),
        _O: ("Saya ingin membantu, tetapi {issue} seperti sekarang ini berat bagi kami.",),
        _N: (
            "Hubungan jangka panjang yang baik penting bagi kami.",
            "Kami sungguh ingin menemukan jalan yang cocok untuk kedua belah pihak.",
            "Soal {mine}, itulah yang membuat tim kami merasa tenang.",
        ),
        _F: (
            "Kami sudah bergeser soal {cheap} supaya bisa bertemu di tengah.",
            "Kami bisa memberikan {my_value} untuk {issue}, kalau itu membantu.",
        ),
    },
    "expressive": {
        _Q: (
            "Apa cerita di balik {issue} bagi Anda?",
            "Coba ceritakan, apa yang paling membuat Anda antusias dengan kesepakatan ini?",
        ),
        _O: (
            "Aduh, {their_value}? Itu berat sekali untuk {issue}!",
            "Ayolah, {issue} tidak bisa tetap di situ!",
        ),
        _N: (
            "Ini bisa jadi kemitraan yang hebat, ayo kita wujudkan!",
            "Bagi kami, semuanya soal {mine}!",
        ),
        _F: (
            "Lihat, kami sudah murah hati soal {cheap}!",
            "Ini ide baru: {my_value} untuk {issue}.",
        ),
    },
    "driver": {
        _Q: ("Apa penawaran terbaik Anda untuk {issue}?", "Bisakah Anda tanda tangan hari ini?"),
        _O: (
            "{their_value} untuk {issue}? Tidak bisa diterima.",
            "Kita membuang waktu; {issue} harus bergerak.",
            "Perbaiki {issue} atau kita selesai di sini.",
        ),
        _N: ("Bereskan {mine}, dan kita tutup kesepakatan hari ini.",),
        _F: ("Ini sudah mendekati batas kami.", "{my_value} untuk {issue}. Ambil atau tinggalkan."),
    },
}
"""Per persona, per intent: the Indonesian lines, in the order of the English ones."""
