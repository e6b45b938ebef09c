"""The user's settings file and where content comes from.

``config.toml`` in the config folder (:func:`tutor.store.locations.config_dir`:
``$TUTOR_CONFIG_DIR``, else ``$TUTOR_DATA_DIR``, else the platform's user config folder)::

    content = ["~/tutor-content/focal-loss", "/srv/shared/pack"]   # folders read on every start
    builtin = true                                                 # false: only those folders

The ``TUTOR_CONTENT`` environment variable names folders too (separated by
``os.pathsep``: ``:`` on Linux and macOS, ``;`` on Windows). Precedence: the
``--content`` flags, else ``TUTOR_CONTENT``, else the config file; ``--no-builtin``
(or ``--builtin``) else the config's ``builtin``, else the built-in content is read.
A broken config file is named in one line and ignored, never raised.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from tutor.content.files import exists, is_dir, read_regular, toml_limits, unknown_key
from tutor.store.locations import config_path

ENV_CONTENT = "TUTOR_CONTENT"
MAX_CONFIG_BYTES = 64 * 1024
CONFIG_KEYS = ("content", "builtin")


@dataclass(frozen=True)
class Config:
    content: tuple[Path, ...] = ()
    #: None when the file does not say.
    builtin: bool | None = None
    #: One line per thing that was wrong with the file (it is then ignored, whole or in part).
    notices: tuple[str, ...] = ()


def read_config(path: Path | None = None) -> Config:
    """The settings in ``path`` (default :func:`config_path`); an empty :class:`Config` when there is no file."""
    path = path or config_path()
    try:
        if not exists(path):
            return Config()
        data = read_regular(path, MAX_CONFIG_BYTES)
        if len(data) > MAX_CONFIG_BYTES:
            return Config(notices=(f"{path}: larger than {MAX_CONFIG_BYTES // 1024} KB; ignored",))
        text = data.decode("utf-8-sig")
        limit = toml_limits(text)
        if limit is not None:
            return Config(notices=(f"{path}:{limit[0]}: {limit[1]}; the file is ignored",))
        raw = tomllib.loads(text)
    except OSError as err:
        return Config(notices=(f"{path}: cannot be read ({err.strerror or err}); ignored",))
    except UnicodeDecodeError:
        return Config(notices=(f"{path}: not UTF-8 text; ignored",))
    except (tomllib.TOMLDecodeError, RecursionError) as err:
        return Config(notices=(f"{path}: not valid TOML ({err}); the file is ignored",))
    notices: list[str] = []
    for key in raw:
        if key not in CONFIG_KEYS:
            notices.append(f"{path}: {unknown_key(key, CONFIG_KEYS)}; ignored")
    content: list[Path] = []
    value = raw.get("content", [])
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
        notices.append(f"{path}: 'content' is a list of folders, such as content = [\"~/my-content\"]; ignored")
    else:
        for item in items:
            folder = Path(item).expanduser()
            content.append(folder if folder.is_absolute() else path.parent / folder)
    builtin = raw.get("builtin")
    if builtin is not None and not isinstance(builtin, bool):
        notices.append(f"{path}: 'builtin' is true or false; ignored")
        builtin = None
    return Config(tuple(content), builtin, tuple(notices))


@dataclass
class ContentChoice:
    """The content folders to read (besides the built-in content, when ``builtin``), and where they were named."""

    folders: list[Path] = field(default_factory=list)
    builtin: bool = True
    #: ``--content``, ``TUTOR_CONTENT``, the config file's path, or "" when no folder was named.
    source: str = ""
    #: Warnings to show the user (a broken config file, a remembered folder that is gone).
    notices: list[str] = field(default_factory=list)


def choose_content(
    flags: list[Path] | None,
    builtin_flag: bool | None,
    environ: dict[str, str] | None = None,
    config: Config | None = None,
) -> ContentChoice:
    """Which folders to read: flags, else ``TUTOR_CONTENT``, else the config file (the first that names any)."""
    env = os.environ if environ is None else environ
    notices: list[str] = []
    folders: list[Path]
    if flags:
        folders, source = list(flags), "--content"
    else:
        config = config if config is not None else read_config()
        notices += config.notices
        named = [p for p in env.get(ENV_CONTENT, "").split(os.pathsep) if p.strip()]
        if named:
            folders, source = [Path(p).expanduser() for p in named], ENV_CONTENT
        else:
            folders, source = list(config.content), str(config_path()) if config.content else ""
        kept = []
        for folder in folders:
            if is_dir(folder):
                kept.append(folder)
            else:
                notices.append(
                    f"the content folder {_short(folder)} (named in {source}) "
                    f"{'is not a folder' if exists(folder) else 'does not exist'}; skipped"
                )
        folders = kept
    if builtin_flag is None:
        config = config if config is not None else read_config()
        if flags:
            notices += config.notices
        builtin = config.builtin if config.builtin is not None else True
    else:
        builtin = builtin_flag
    return ContentChoice(unique_folders(folders), builtin, source, list(dict.fromkeys(notices)))


def _short(path: Path) -> str:
    text = str(path)
    return text if len(text) <= 200 else text[:200] + "…"


def unique_folders(folders: list[Path]) -> list[Path]:
    """Each folder once (a folder named twice would report every id in it as already used)."""
    seen: set[str] = set()
    out = []
    for folder in folders:
        try:
            key = str(folder.resolve())
        except (OSError, RuntimeError):
            key = str(folder)
        if key not in seen:
            seen.add(key)
            out.append(folder)
    return out
