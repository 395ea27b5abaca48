"""`jobpilot ai`: keep the vectors of postings and resumes in step with the embedding model."""

from __future__ import annotations

import asyncio

import typer

from jobpilot.cli.common import console, settings_or_exit

ai_app = typer.Typer(help="Embeddings and matching.", no_args_is_help=True)


@ai_app.command("reindex")
def reindex(
    step: int = typer.Option(500, min=1, max=10_000, help="Postings and resumes per step."),
) -> None:
    """Embed every open posting and resume that has no vector of the current model (after an
    upgrade or a change of model), then drop other models' vectors."""
    settings = settings_or_exit()
    from jobpilot import wiring
    from jobpilot.ai.service import AiService

    async def run() -> None:
        container = wiring.build_container(settings)
        try:
            service = AiService(container.ai)
            console.print(f"model: {container.ai.embedder.model_id}")
            while True:
                done = await service.reindex(step)
                console.print(
                    f"embedded {done.postings} postings and {done.resumes} resumes, "
                    f"removed {done.removed} stale vectors; {done.remaining} to go"
                )
                if done.remaining == 0:
                    break
        finally:
            await container.aclose()

    asyncio.run(run())
