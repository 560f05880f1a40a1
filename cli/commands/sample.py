"""`vinsgrad sample`: text from a language model checkpoint, one character at a time as it is generated."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from ..errors import UsageError
from ..options import CheckpointArgument


def sample_command(
    checkpoint: CheckpointArgument,
    prompt: Annotated[
        str | None, typer.Option("--prompt", help="Text to continue (default: a newline, the start of a line).")
    ] = None,
    tokens: Annotated[int, typer.Option("--tokens", min=1, help="How many characters to generate.")] = 500,
    temperature: Annotated[
        float,
        typer.Option(
            "--temperature", min=0.0, help="Below 1: safer choices; above 1: wilder; 0: always the likeliest."
        ),
    ] = 0.8,
    top_k: Annotated[
        int | None, typer.Option("--top-k", min=1, help="Draw only among the K likeliest characters.")
    ] = None,
    seed: Annotated[
        int | None, typer.Option("--seed", min=0, help="Seed of the draws: the same seed gives the same text.")
    ] = None,
) -> None:
    """Generate text from a language model, streaming each character as it comes.

    The vocabulary and the context length come from the checkpoint; nothing else is needed.

    [bold]Examples[/bold]

      [cyan]vinsgrad sample runs/shakespeare_gpt/best.npz[/cyan]

      [cyan]vinsgrad sample runs/shakespeare_gpt/last.npz --prompt "ROMEO:" --tokens 300 --seed 1[/cyan]

      [cyan]vinsgrad sample runs/shakespeare_lstm/last.npz --temperature 0.5 --top-k 10[/cyan]
    """
    import secrets

    import vinsgrad
    from vinsgrad.models import generate
    from vinsgrad.utils.data.text import describe_chars, encode, unknown_chars

    from ..checkpoint import load_checkpoint, restore_model, vocabulary
    from ..console import terminal_console

    ckpt = load_checkpoint(checkpoint)
    chars = vocabulary(ckpt, checkpoint)
    if prompt is None:
        prompt = "\n" if "\n" in chars else chars[0]
    if not prompt:
        raise UsageError("--prompt: give at least one character to start from")
    unknown = unknown_chars(prompt, chars)
    if unknown:
        raise UsageError(
            f"--prompt: {describe_chars(unknown)} {'is' if len(unknown) == 1 else 'are'} not in the model's "
            f"vocabulary of {len(chars)} characters; use only characters of its training text"
        )
    model = restore_model(ckpt, checkpoint)
    generator = vinsgrad.Generator(secrets.randbits(63) if seed is None else seed)
    block_size = ckpt.config["data"].get("block_size")
    console = terminal_console()
    if console is not None:  # on a terminal the prompt stands out from what the model wrote
        console.print(prompt, style="bold cyan", end="", markup=False, highlight=False, soft_wrap=True)
    else:
        sys.stdout.write(prompt)
    sys.stdout.flush()
    ids = encode(prompt, chars).tolist()
    for token in generate(model, ids, tokens, block_size=block_size, temperature=temperature, top_k=top_k,
                          generator=generator):  # fmt: skip
        sys.stdout.write(chars[token])
        sys.stdout.flush()
    sys.stdout.write("\n")
