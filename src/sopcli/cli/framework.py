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

# The names of the values in help (metavars), written in the code as Typer takes them.
METAVARS = (
    N_("[OPTIONS]"),
    N_("COMMAND [ARGS]..."),
    N_("FILE"),
    N_("FILE..."),
    N_("STEP"),
    N_("RUN"),
    N_("TEXT"),
    N_("PERSON"),
    N_("LANE"),
    N_("NAME"),
    N_("TIME"),
    N_("FORMAT"),
    N_("STATUS"),
    N_("ACTOR=PERSON"),
    N_("SOP"),
    N_("N"),
    N_("PERIOD"),
    N_("DATE"),
    N_("FILE.docx"),
    N_("URL"),
    N_("SHA256"),
    N_("a4|f4"),
    N_("id|en"),
)
