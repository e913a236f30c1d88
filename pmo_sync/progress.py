"""Progress bars for long cycles (a first sync of thousands of issues takes minutes)."""

from __future__ import annotations

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)


class CycleProgress:
    """A rich progress display fed by PairSync's (step, advance, total) callbacks."""

    def __init__(self, console: Console) -> None:
        self.display = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self.tasks: dict[str, TaskID] = {}

    def __call__(self, step: str, advance: int, total: int | None) -> None:
        if step not in self.tasks:
            self.tasks[step] = self.display.add_task(step, total=total)
        self.display.update(self.tasks[step], advance=advance, total=total)

    def __enter__(self) -> CycleProgress:
        self.display.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.display.stop()
