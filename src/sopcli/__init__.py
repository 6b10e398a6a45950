"""sopcli: run SOP Administrasi Pemerintahan as executable, auditable checklists."""

__version__ = "0.1.0"
