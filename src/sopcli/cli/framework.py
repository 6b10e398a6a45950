"""Typer's own words, listed so that the catalogue carries them: Typer asks the process-wide gettext
domain for these (bound to ours), so its help panels and some errors follow the chosen language."""

from sopcli.i18n import N_

TYPER_WORDS = (
    N_("Arguments"),
    N_("Options"),
    N_("Commands"),
    N_("required"),
    N_("default: {default}"),
    N_("(dynamic)"),
    N_("env var: {var}"),
    N_("Aborted!"),
    N_("Missing command."),
    N_("No such command {name!r}."),
    N_("Install completion for the current shell."),
    N_("Show completion for the current shell, to copy it or customize the installation."),
)
