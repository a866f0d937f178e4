"""Click's own errors (a missing argument, an unknown option, a file that is not there) in
Korean, as every other message of the CLI.

Typer (its vendored click) writes these messages in English, with no catalog to plug in:
the root group runs click in non-standalone mode and prints each usage error itself, translated
from click's (stable) English wording. A message no rule knows is kept, after a Korean lead.
"""

from __future__ import annotations

import re
import sys
from typing import Any

from typer._click import exceptions as click  # typer's own copy of click's exceptions
from typer._click.utils import echo
from typer.core import TyperGroup
from typer.exceptions import Abort

# (click's wording, the Korean one); the groups are what the message names
_RULES: list[tuple[re.Pattern[str], str]] = [(re.compile(p), k) for p, k in (
    (r"^Missing argument '?\{?([^'}]+?)\}?'?\.?$", r"필수 인자 \1이(가) 빠졌습니다."),
    (r"^Missing option '([^']+)'.*$", r"필수 옵션 \1이(가) 빠졌습니다."),
    (r"^Missing parameter:? '?([^']+?)'?\.?$", r"필수 값 \1이(가) 빠졌습니다."),
    (r"^No such option:? '?([^'\s]+?)'?\.?(?:\s+Did you mean (.+)\?)?$", r"없는 옵션입니다: \1"),
    (r"^No such command '([^']+)'\.?$", r"없는 명령입니다: \1"),
    (r"^Missing command\.$", "명령을 적어야 합니다."),
    (r"^Got unexpected extra argument(?:\(s\)|s)? \((.+)\)$", r"필요 없는 인자가 있습니다: \1"),
    (r"^Option '([^']+)' requires an argument\.$", r"옵션 \1에 값을 적어야 합니다."),
    (r"^Option '([^']+)' requires (\d+) arguments\.$", r"옵션 \1에 값 \2개를 적어야 합니다."),
    (r"^Option '([^']+)' does not take a value\.$", r"옵션 \1은(는) 값을 받지 않습니다."),
    (r"^Argument '([^']+)' takes (\d+) values\.$", r"인자 \1에 값 \2개를 적어야 합니다."),
    (r"^(?:File|file|Path|path) '(.+)' does not exist\.$", r"파일이 없습니다: \1"),
    (r"^(?:Directory|directory) '(.+)' does not exist\.$", r"디렉터리가 없습니다: \1"),
    (r"^\w+ '(.+)' is a directory\.$", r"파일이 아니라 디렉터리입니다: \1"),
    (r"^\w+ '(.+)' is a file\.$", r"디렉터리가 아니라 파일입니다: \1"),
    (r"^\w+ '(.+)' is not readable\.$", r"읽을 수 없는 파일입니다: \1"),
    (r"^\w+ '(.+)' is not writable\.$", r"쓸 수 없는 파일입니다: \1"),
    (r"^'?(.*?)'? is not a valid integer( range)?\.$", r"정수가 아닙니다: \1"),
    (r"^.*valid integer.*$", "정수를 적어야 합니다."),
    (r"^'?(.*?)'? is not a valid float( range)?\.$", r"숫자가 아닙니다: \1"),
    (r"^.*valid number.*$", "숫자를 적어야 합니다."),
    (r"^(.+) is not in the range (.+)\.$", r"\1은(는) 범위 밖입니다 (\2)."),
    (r"^Input should be greater than or equal to (\S+)$", r"\1 이상이어야 합니다."),
    (r"^Input should be less than or equal to (\S+)$", r"\1 이하여야 합니다."),
    (r"^Input should be greater than (\S+)$", r"\1보다 커야 합니다."),
    (r"^Input should be less than (\S+)$", r"\1보다 작아야 합니다."),
    (r"^'(.*)' is not one of (.+)\.$", r"\1은(는) 고를 수 있는 값이 아닙니다: \2"),
    (r"^'(.*)' is not a valid boolean\.$", r"참/거짓 값이 아닙니다: \1"),
    (r"^Could not open file '(.+)': (.+)$", r"파일을 열 수 없습니다: \1 (\2)"),
)]


def korean(message: str) -> str:
    """Click's English message in Korean (unknown ones kept after a Korean lead)."""
    message = message.strip()
    for pattern, replacement in _RULES:
        if pattern.match(message):
            return pattern.sub(replacement, message)
    return f"명령을 이해하지 못했습니다: {message}"


def usage_error_text(exc: click.ClickException) -> str:
    """The Korean lines for one of click's errors: what is wrong, where to find help."""
    if isinstance(exc, click.BadParameter) and not isinstance(exc, click.MissingParameter):
        text = korean(exc.message)
        hint = exc.param_hint if isinstance(exc.param_hint, str) else None
        if hint is None and exc.param is not None:
            hint = "/".join(getattr(exc.param, "opts", []) or [exc.param.name or ""])
        text = f"{hint.strip(chr(39)).strip('{}')} 값이 잘못되었습니다: {text}" if hint else text
    elif isinstance(exc, click.MissingParameter):
        param = exc.param
        if param is not None and param.param_type_name == "option":
            text = f"필수 옵션 {param.opts[0]}이(가) 빠졌습니다."
        elif param is not None:
            text = f"필수 인자 {param.name}이(가) 빠졌습니다."
        else:
            text = korean(exc.format_message())
    elif isinstance(exc, click.NoSuchOption):
        text = f"없는 옵션입니다: {exc.option_name}"
        if exc.possibilities:
            text += f" (혹시 {', '.join(sorted(exc.possibilities))}?)"
    else:
        text = korean(exc.format_message())
    lines = [f"오류: {text}"]
    ctx = getattr(exc, "ctx", None)
    if ctx is not None:
        lines.append(f"도움말: {ctx.command_path} --help")
    return "\n".join(lines)


class KoreanGroup(TyperGroup):
    """The root group: click's usage errors printed in Korean (exit code 2, as click's)."""

    def main(self, args: Any = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True,
             **extra: Any) -> Any:
        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False,
                                  **extra)
        except click.NoArgsIsHelpError as exc:
            if not standalone_mode:
                raise
            exc.show()
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            if not standalone_mode:
                raise
            echo(usage_error_text(exc), err=True)
            sys.exit(exc.exit_code)
        except Abort:
            if not standalone_mode:
                raise
            echo("중단했습니다.", err=True)
            sys.exit(1)
        if not standalone_mode:
            return result
        # non-standalone click returns an Exit's code, and a command's return value (None)
        sys.exit(result if isinstance(result, int) else 0)
