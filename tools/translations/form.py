"""Indonesian texts of the printed form, the run's dossier and their options (fill with tools/fill.py)."""

TR = {
    "paper of the printed form, landscape: a4, or f4 (210 × 330 mm)": (
        "kertas formulir cetak, mendatar: a4, atau f4 (210 × 330 mm)"
    ),
    "write the html or pdf to FILE (pdf needs it)": "tulis html atau pdf ke FILE (pdf memerlukannya)",
    "-o FILE is for --format html or pdf": "-o FILE hanya untuk --format html atau pdf",
    "other formats go to standard output": "format lain ditulis ke keluaran standar",
    "--format pdf needs -o FILE": "--format pdf memerlukan -o FILE",
    "or use --format html to write the page to standard output": (
        "atau gunakan --format html untuk menulis halamannya ke keluaran standar"
    ),
    "cannot write {path}: the folder {folder} does not exist": "tidak dapat menulis {path}: folder {folder} tidak ada",
    "create the folder first, or choose another file": "buat foldernya dahulu, atau pilih berkas lain",
    "table, json, mermaid, html or pdf": "table, json, mermaid, html atau pdf",
    "table, json, csv, md, html or pdf": "table, json, csv, md, html atau pdf",
    "flowchart, page {page} of {pages}": "bagan alir, halaman {page} dari {pages}",
    "Actors (Pelaksana)": "Pelaksana",
    "Quality standard (Mutu Baku)": "Mutu Baku",
    "Elapsed": "Waktu Pelaksanaan",
    "continued from page {pages}": "sambungan dari halaman {pages}",
    "continued on page {pages}": "bersambung ke halaman {pages}",
    "Verification": "Verifikasi",
    "Report made": "Laporan dibuat",
    "the audit trail or the evidence does not verify": "jejak audit atau bukti tidak lolos verifikasi",
    "{records} records intact and within the rules; {files} evidence file(s) match their SHA-256.": (
        "{records} rekaman utuh dan sesuai aturan; {files} berkas bukti cocok dengan SHA-256-nya."
    ),
    "Step details": "Rincian langkah",
    "Pass": "Putaran",
    "Finished": "Selesai",
    "Outcome": "Pilihan",
    "File": "Berkas",
    "Size": "Ukuran",
    ("{count} byte", "{count} bytes"): "{count} bita",
    "Audit trail": "Jejak audit",
    "Run dossier {run}": "Berkas pelaksanaan {run}",
}
