"""Indonesian texts of the messages added after the hostile review (index rows checked and computed again,
ordering, periods); fill them into the catalogue with: python tools/fill.py tools/translations/review.py"""

TR = {
    "cannot tell which shell this is; name it: sop {flag} {shells}": (
        "tidak dapat diketahui shell apa ini; sebutkan: sop {flag} {shells}"
    ),
    "sop completes in {shells}, not in {shell!r}": "sop melengkapi perintah di {shells}, tidak di {shell!r}",
    "could not install completion for {shell}: {reason}": "pelengkapan untuk {shell} tidak dapat dipasang: {reason}",
    "Completion for {shell} is installed in {path}; it works in the next terminal you open.": (
        "Pelengkapan untuk {shell} terpasang di {path}; berlaku di terminal berikutnya yang Anda buka."
    ),
    "the index row disagrees with the records in {fields}": "baris indeks tidak sesuai dengan rekamannya pada {fields}",
    "run {run}: {problem}; `sop store reindex` computes it again from the records": (
        "pelaksanaan {run}: {problem}; `sop store reindex` menghitungnya ulang dari rekamannya"
    ),
    "the index file {path} is damaged ({detail}); it was left untouched": (
        "berkas indeks {path} rusak ({detail}); dibiarkan apa adanya"
    ),
    "a row of the wrong shape": "baris yang bentuknya salah",
    "run {run}: {problem}": "pelaksanaan {run}: {problem}",
    "the index row is not an object": "baris indeks bukan objek",
    "the index row has no valid {field!r}": "baris indeks tidak memiliki {field!r} yang sah",
    "{count} still open past the standard": "{count} masih terbuka melewati standar",
    "PERIOD": "PERIODE",
    "DATE": "TANGGAL",
    "FILE.docx": "BERKAS.docx",
    "URL": "URL",
    "a4|f4": "a4|f4",
    "{name}: {value!r} is below the least allowed, {limit}": "{name}: {value!r} di bawah batas terkecil, {limit}",
    "{name}: {value!r} must be more than {limit}": "{name}: {value!r} harus lebih dari {limit}",
    "{name}: {value!r} is above the most allowed, {limit}": "{name}: {value!r} di atas batas terbesar, {limit}",
    "{name}: {value!r} must be less than {limit}": "{name}: {value!r} harus kurang dari {limit}",
    "Makes RUN the current run.": "Menjadikan PELAKSANAAN sebagai pelaksanaan saat ini.",
    "no such file or folder": "berkas atau folder tidak ada",
    "it is a folder": "itu sebuah folder",
    "a part of the path is not a folder": "sebagian path bukan folder",
    "no such device or address (a pipe or socket with nobody at the other end)": (
        "perangkat atau alamat tidak ada (pipa atau soket tanpa pihak di ujung lainnya)"
    ),
    "too many symbolic links": "terlalu banyak tautan simbolik",
    "the name is too long": "namanya terlalu panjang",
    "input/output error (the device failed)": "kesalahan masukan/keluaran (perangkat gagal)",
    "it already exists": "sudah ada",
    "the device or file is busy": "perangkat atau berkas sedang sibuk",
    "too many open files": "terlalu banyak berkas terbuka",
    "the file is busy": "berkas sedang sibuk",
    "run {run} is left out: {problem}": "pelaksanaan {run} tidak ditampilkan: {problem}",
    "Assessment of the application": "Penilaian terhadap penerapan",
    "Initials of the assessor": "Paraf penilai",
    "Proposed assessment: running well when at least 80 percent of the period's judged passes kept the standard, none was forced past the lane's person and none lacked its required inputs; a step not run in the period is not assessed. The assessor decides.": (
        "Usulan penilaian: berjalan dengan baik bila sekurang-kurangnya 80 persen putaran yang dinilai dalam periode "
        "memenuhi standar waktu, tidak ada yang dipaksa melewati petugas lajur dan tidak ada yang tanpa "
        "kelengkapan yang diwajibkan; langkah yang tidak dijalankan dalam periode tidak dinilai. Penilai yang memutuskan."
    ),
    "Assessed on": "Dinilai pada",
    "Assessor": "Penilai",
}
