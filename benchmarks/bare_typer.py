"""The baseline: a bare 5-command Typer app, the least any Typer CLI can cost to start."""

import typer

app = typer.Typer(add_completion=False)


@app.command()
def one(name: str = "x") -> None:
    print(name)


@app.command()
def two(n: int = 1) -> None:
    print(n)


@app.command()
def three() -> None:
    print("three")


@app.command()
def four(flag: bool = False) -> None:
    print(flag)


@app.command()
def five(text: str = "") -> None:
    print(text)


if __name__ == "__main__":
    app()
