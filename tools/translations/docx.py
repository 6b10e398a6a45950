"""Indonesian texts of the messages of `sop export` and `sop import` (Word documents); fill them into the
catalogue with: python tools/fill.py tools/translations/docx.py"""

TR = {
    # the commands and their options
    "Writes the SOP's form as a Word document (.docx) that partners can edit and `sop import` reads back.": (
        "Menulis formulir SOP sebagai dokumen Word (.docx) yang dapat disunting mitra dan dibaca kembali oleh "
        "`sop import`."
    ),
    "docx (a Word document)": "docx (dokumen Word)",
    "where to write it (- for standard output); default: ID.docx": (
        "tempat menulisnya (- untuk keluaran standar); bawaan: ID.docx"
    ),
    "paper size, landscape": "ukuran kertas, melintang",
    "{path} exists already; it was left as it is": "{path} sudah ada; berkas itu dibiarkan apa adanya",
    "name the file to write with -o FILE": "sebutkan berkas yang akan ditulis dengan -o FILE",
    "wrote {path}": "{path} ditulis",
    "Reads an SOP AP form from a Word document (.docx) and writes it as SOP YAML: exit 0 when the YAML "
    "validates, else 1 and what to fix.": (
        "Membaca formulir SOP AP dari dokumen Word (.docx) dan menuliskannya sebagai YAML SOP: keluar 0 bila "
        "YAML-nya sah, selain itu 1 beserta apa yang harus diperbaiki."
    ),
    "the Word document of the form": "dokumen Word formulir itu",
    "the YAML file to write; default: standard output": "berkas YAML yang akan ditulis; bawaan: keluaran standar",
    "written and valid": "ditulis dan sah",
    # the labels and words of the form
    "Actors": "Pelaksana",
    "Quality standard": "Mutu Baku",
    "start": "mulai",
    "process": "proses",
    "decision": "keputusan",
    "revision {no}, {date}": "revisi ke-{no}, {date}",
    "step {no}: {symbols}": "langkah {no}: {symbols}",
    # refusals
    "no file at {path}": "tidak ada berkas di {path}",
    "{file} is an old Word 97-2003 document (.doc) or a password-protected one": (
        "{file} adalah dokumen Word 97-2003 lama (.doc) atau dokumen yang dilindungi kata sandi"
    ),
    "open it in Word, save it as a Word Document (.docx) without a password, and import that file": (
        "buka di Word, simpan sebagai Word Document (.docx) tanpa kata sandi, lalu impor berkas itu"
    ),
    "{file} is not a Word document (.docx)": "{file} bukan dokumen Word (.docx)",
    "save the form from Word as a Word Document (.docx) and import that file": (
        "simpan formulir dari Word sebagai Word Document (.docx), lalu impor berkas itu"
    ),
    "{file} is a damaged Word document: its archive cannot be read": (
        "{file} adalah dokumen Word yang rusak: arsipnya tidak dapat dibaca"
    ),
    "open it in Word, save it again as .docx, and import that file": (
        "buka di Word, simpan kembali sebagai .docx, lalu impor berkas itu"
    ),
    "{file} would inflate to more than {limit} MiB; refused as a possible zip bomb": (
        "{file} akan mengembang melebihi {limit} MiB; ditolak karena mungkin bom zip"
    ),
    "a Word form of an SOP is far smaller; check where the file came from": (
        "formulir SOP dalam Word jauh lebih kecil; periksa asal berkas itu"
    ),
    "{file} is {size} MiB; a Word document to import may be at most {limit} MiB": (
        "{file} berukuran {size} MiB; dokumen Word yang diimpor paling besar {limit} MiB"
    ),
    "remove large pictures from the document, or save the form alone": (
        "hapus gambar besar dari dokumen, atau simpan formulirnya saja"
    ),
    "no flowchart table in {file}": "tidak ada tabel bagan alir di {file}",
    "the form needs a table whose header names the columns No, Kegiatan and Pelaksana": (
        "formulir memerlukan tabel yang kepalanya menyebut kolom No, Kegiatan dan Pelaksana"
    ),
    "a second flowchart table with other Pelaksana columns was left out": (
        "tabel bagan alir kedua dengan kolom Pelaksana yang lain tidak diambil"
    ),
    "the flowchart table in {file} has no numbered steps": "tabel bagan alir di {file} tidak memiliki langkah bernomor",
    "number the rows of the table 1, 2, 3, ... in its No column": "beri nomor baris tabel 1, 2, 3, ... di kolom No",
    # the imported YAML: its comments and the lines about it
    "{title}: imported by `sop import` from {file}.": "{title}: diimpor oleh `sop import` dari {file}.",
    "Comments say what the form writes differently and which values were guessed; check those.": (
        "Komentar menyebut apa yang ditulis berbeda pada formulir dan nilai mana yang ditebak; periksalah."
    ),
    "check: {guess}": "periksa: {guess}",
    "not on the form: {labels}": "tidak ada pada formulir: {labels}",
    "made from the Nama SOP; it is the name used on the command line, change it freely": (
        "dibuat dari Nama SOP; inilah nama yang dipakai di baris perintah, boleh diubah"
    ),
    "no Nomor SOP on the form; write it here": "tidak ada Nomor SOP pada formulir; tuliskan di sini",
    "no Nama SOP on the form; taken from the document's title": (
        "tidak ada Nama SOP pada formulir; diambil dari judul dokumen"
    ),
    "no Nama SOP on the form; write it here": "tidak ada Nama SOP pada formulir; tuliskan di sini",
    "{label} '{text}' is not a date": "{label} '{text}' bukan tanggal",
    "the form gives no revision number": "formulir tidak menyebut nomor revisi",
    "no name under Disahkan oleh; write it here": "tidak ada nama di bawah Disahkan oleh; tuliskan di sini",
    "the calendar in the document's properties could not be read": ("kalender di properti dokumen tidak dapat dibaca"),
    "Lane {n}": "Pelaksana {n}",
    "the lane column has no name on the form; name it": "kolom pelaksana ini tidak bernama pada formulir; beri nama",
    "the row has no number; numbered after the row above": (
        "baris ini tidak bernomor; diberi nomor sesudah baris di atasnya"
    ),
    "the row has no activity text; write it here": "baris ini tidak memiliki teks kegiatan; tuliskan di sini",
    "no lane is marked in this row; guessed {lane}": "tidak ada lajur yang ditandai pada baris ini; ditebak {lane}",
    "read from the word '{word}' in Keterangan": "dibaca dari kata '{word}' di Keterangan",
    "the form does not say whether one of these lanes does it (any) or each does its part (all)": (
        "formulir tidak menyebut apakah salah satu lajur ini yang mengerjakannya (any) atau masing-masing "
        "mengerjakan bagiannya (all)"
    ),
    'the form\'s cell: "{text}"': 'sel pada formulir: "{text}"',
    "one merged Waktu cell with step {no}": "satu sel Waktu yang digabung dengan langkah {no}",
    "the Waktu column counts in {unit}": "kolom Waktu dihitung dalam {unit}",
    "the Waktu cell is empty: no time standard": "sel Waktu kosong: tanpa standar waktu",
    "the form writes '{text}'; read as {time}": "formulir menulis '{text}'; dibaca sebagai {time}",
    "step {no}: the Waktu '{text}' is not a time standard; write it like 10 Menit or 2 Jam": (
        "langkah {no}: Waktu '{text}' bukan standar waktu; tuliskan seperti 10 Menit atau 2 Jam"
    ),
    "the form names no target for '{name}'; guessed the end of the SOP": (
        "formulir tidak menyebut tujuan untuk '{name}'; ditebak akhir SOP"
    ),
    "the form names no target for '{name}'; guessed the next row ({target})": (
        "formulir tidak menyebut tujuan untuk '{name}'; ditebak baris berikutnya ({target})"
    ),
    "the form names no target for '{name}'; guessed the step before ({target}), where work goes back": (
        "formulir tidak menyebut tujuan untuk '{name}'; ditebak langkah sebelumnya ({target}), tempat pekerjaan "
        "dikembalikan"
    ),
}
