"""Indonesian texts of the messages added after the hostile review (index rows checked and computed again,
ordering, periods); fill them into the catalogue with: python tools/fill.py tools/translations/review.py"""

TR = {
    "the team store holds other content under the SHA-256 of {name!r} (evidence {sha}, stored by {login}); "
    "nothing was recorded": (
        "penyimpanan tim menyimpan isi lain di bawah SHA-256 {name!r} (bukti {sha}, disimpan oleh {login}); "
        "tidak ada yang dicatat"
    ),
    "evidence {sha} changed while it was read back; nothing was set aside": (
        "bukti {sha} berubah selagi dibaca ulang; tidak ada yang disisihkan"
    ),
    "evidence {sha} does not have its SHA-256": "bukti {sha} tidak memiliki SHA-256-nya",
    "it does not verify in the team store: {problem}": "tidak lolos pemeriksaan di penyimpanan tim: {problem}",
    "Sets aside evidence whose stored content does not have its SHA-256 (team store, sop_admin), so that "
    "attaching the file again stores it whole.": (
        "Menyisihkan bukti yang isi tersimpannya tidak memiliki SHA-256-nya (penyimpanan tim, sop_admin), "
        "agar melampirkan berkas itu lagi menyimpannya utuh."
    ),
    "the evidence's SHA-256, or its first digits": "SHA-256 bukti itu, atau digit-digit awalnya",
    "set-aside is for a team store; the embedded store sets damaged evidence aside by itself": (
        "set-aside untuk penyimpanan tim; penyimpanan bawaan menyisihkan bukti yang rusak dengan sendirinya"
    ),
    "set SOP_STORE to the team store": "atur SOP_STORE ke penyimpanan tim",
    "Evidence {sha} set aside (its chunks stay in the database); attaching the file again stores it whole.": (
        "Bukti {sha} disisihkan (potongan-potongannya tetap di basis data); melampirkan berkas itu lagi "
        "menyimpannya utuh."
    ),
    "the team store holds other content under the SHA-256 of this file (evidence {sha}, stored by {login}); "
    "nothing was recorded": (
        "penyimpanan tim menyimpan isi lain di bawah SHA-256 berkas ini (bukti {sha}, disimpan oleh {login}); "
        "tidak ada yang dicatat"
    ),
    "an administrator checks it and sets it aside: sop store set-aside {sha}": (
        "administrator memeriksanya dan menyisihkannya: sop store set-aside {sha}"
    ),
    "{ref!r} is not the start of a SHA-256": "{ref!r} bukan awal sebuah SHA-256",
    "give at least its first 6 hexadecimal digits, as `sop verify` names it": (
        "berikan sedikitnya 6 digit heksadesimal pertamanya, seperti yang disebut `sop verify`"
    ),
    "no single evidence {ref} in the team store": "tidak ada satu bukti {ref} pun di penyimpanan tim",
    "{ref} names more than one evidence; give more of its digits": (
        "{ref} menunjuk lebih dari satu bukti; berikan lebih banyak digitnya"
    ),
    "`sop verify` names evidence by the first 12 digits of its SHA-256": (
        "`sop verify` menyebut bukti dengan 12 digit pertama SHA-256-nya"
    ),
    "the content stored for evidence {sha} has its SHA-256; nothing was set aside": (
        "isi yang tersimpan untuk bukti {sha} memiliki SHA-256-nya; tidak ada yang disisihkan"
    ),
    "`sop verify` names evidence that was changed": "`sop verify` menyebut bukti yang telah diubah",
    "only a member of sop_admin sets evidence aside": "hanya anggota sop_admin yang menyisihkan bukti",
    "ask an administrator": "tanyakan kepada administrator",
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
    "SHA256": "SHA256",
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
