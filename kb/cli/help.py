"""Help texts that need more than a docstring."""

from __future__ import annotations

import click


class ListsQueries(click.Command):
    """A command whose help ends with the library's queries and their titles."""

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        from kb import library

        lib = library.load_library()
        with formatter.section("Queries (kb query show NAME for parameters)"):
            formatter.write_dl([(name, lib.get(name).title) for name in lib.names])
        super().format_epilog(ctx, formatter)
